// The logged-in page: the model's cubes, the view being built or opened
// (kept in the address), saved views, number formats, and the planner grid.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, type ApiClient } from "../api/client";
import type { Session } from "../api/session";
import type { ModelAnswer, SavedView, ViewSpec } from "../api/types";
import { loadFormat, storeFormat, type NumberFormat } from "../grid/format";
import { ViewBar } from "../panels/ViewBar";
import { SavedViewsMenu } from "../panels/SavedViewsMenu";
import { savedViewStore, type SavedViewStore } from "../view/savedViews";
import { defaultView, normalizeView } from "../view/viewSpec";
import { Planner } from "./Planner";
import { readRoute, routeSearch } from "./route";

interface Props {
  client: ApiClient;
  session: Session;
  onLogout(): void;
}

export function Workspace({ client, session, onLogout }: Props) {
  const [model, setModel] = useState<ModelAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [route, setRoute] = useState(() => readRoute(window.location.search));
  // The view built or opened, for the cube it belongs to; a cube without one shows its default.
  // An unsaved view being built is kept for a reload of the tab.
  const [shown, setShown] = useState<{ cube: string; view: ViewSpec } | null>(() =>
    route.view ? null : loadBuiltView(sessionStorage),
  );
  const [store, setStore] = useState<SavedViewStore | null>(null);
  const [saved, setSaved] = useState<SavedView[]>([]);
  const [formats, setFormats] = useState<Record<string, NumberFormat>>({});

  useEffect(() => {
    client.model().then(setModel, (e: unknown) => setError(messageOf(e)));
  }, [client]);

  const cube = useMemo(() => {
    if (!model || model.cubes.length === 0) return null;
    return model.cubes.find((c) => c.name === route.cube) ?? model.cubes[0];
  }, [model, route.cube]);

  const rootOf = useCallback(
    (dimension: string) => model?.dimensions.find((d) => d.name === dimension)?.roots[0] ?? "",
    [model],
  );
  const dimensionsOfCube = useMemo(
    () => (cube && model ? cube.dimensions.map((n) => model.dimensions.find((d) => d.name === n)) : []),
    [cube, model],
  );

  const fallback = useMemo(() => {
    if (!cube) return null;
    const dims = dimensionsOfCube.filter((d) => d !== undefined);
    return dims.length === cube.dimensions.length ? defaultView(dims) : null;
  }, [cube, dimensionsOfCube]);
  // The address's saved view is shown once the saved views are read; until then nothing.
  const pendingView = useRef(route.view);
  const [waiting, setWaiting] = useState(route.view !== null);
  const view = cube && shown?.cube === cube.name ? shown.view : waiting ? null : fallback;
  const format = useMemo(
    () => (cube ? (formats[cube.name] ?? loadFormat(localStorage, cube.name)) : null),
    [cube, formats],
  );

  // A cube opened: its saved views, and the view the address named when the page opened.
  useEffect(() => {
    if (!cube) return;
    let cancelled = false;
    savedViewStore(client, cube.name, localStorage)
      .then(async (s) => {
        const list = await s.list(cube.name);
        if (cancelled) return;
        setStore(s);
        setSaved(list);
        const named = pendingView.current;
        pendingView.current = null;
        if (named) {
          const found = list.find((v) => v.name === named);
          if (found) setShown({ cube: cube.name, view: normalizeView(found.view, cube.dimensions, rootOf) });
          else setError(`No saved view "${named}" on ${cube.name}; showing the default view`);
        }
        setWaiting(false);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setError(`Saved views: ${messageOf(e)}`);
        setWaiting(false);
      });
    return () => {
      cancelled = true;
    };
  }, [client, cube, rootOf]);

  useEffect(() => {
    const search = routeSearch({ cube: cube?.name ?? null, view: route.view });
    if (search !== window.location.search) {
      window.history.replaceState(null, "", `${window.location.pathname}${search}`);
    }
  }, [cube, route.view]);

  const changeView = useCallback(
    (v: ViewSpec) => {
      if (!cube) return;
      setShown({ cube: cube.name, view: v });
      sessionStorage.setItem(BUILT_VIEW_KEY, JSON.stringify({ cube: cube.name, view: v }));
    },
    [cube],
  );

  const saveView = async (name: string) => {
    if (!store || !cube || !view) return;
    try {
      await store.save(cube.name, name, view);
      setSaved(await store.list(cube.name));
      setRoute((r) => ({ ...r, view: name }));
    } catch (e) {
      setError(`Saving the view: ${messageOf(e)}`);
    }
  };

  const deleteView = async (name: string) => {
    if (!store || !cube) return;
    try {
      await store.remove(cube.name, name);
      setSaved(await store.list(cube.name));
      if (route.view === name) setRoute((r) => ({ ...r, view: null }));
    } catch (e) {
      setError(`Deleting the view: ${messageOf(e)}`);
    }
  };

  const openView = (name: string) => {
    const found = saved.find((v) => v.name === name);
    if (!found || !cube) return;
    setRoute((r) => ({ ...r, view: name }));
    setShown({ cube: cube.name, view: normalizeView(found.view, cube.dimensions, rootOf) });
  };

  const changeFormat = (f: NumberFormat) => {
    if (!cube) return;
    storeFormat(localStorage, cube.name, f);
    setFormats((all) => ({ ...all, [cube.name]: f }));
  };

  return (
    <div className="workspace">
      <header className="topbar">
        <h1>QuantatomAI</h1>
        <label>
          Cube{" "}
          <select
            value={cube?.name ?? ""}
            onChange={(e) => setRoute({ cube: e.target.value, view: null })}
            aria-label="Cube"
          >
            {model?.cubes.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        {cube && store ? (
          <SavedViewsMenu
            views={saved}
            current={route.view}
            where={store.where}
            onOpen={openView}
            onSave={(name) => void saveView(name)}
            onDelete={(name) => void deleteView(name)}
          />
        ) : null}
        <span className="spacer" />
        <span className="user">{session.user}</span>
        <button type="button" onClick={onLogout}>
          Log out
        </button>
      </header>
      {error ? (
        <div role="alert" className="banner error">
          {error}{" "}
          <button type="button" onClick={() => setError(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ) : null}
      {model && model.cubes.length === 0 ? (
        <p className="banner">You may read no cube of this model.</p>
      ) : null}
      {cube && view && format ? (
        <>
          <ViewBar client={client} cube={cube} view={view} rootOf={rootOf} onChange={changeView} />
          <Planner
            client={client}
            session={session}
            cube={cube}
            view={view}
            rootOf={rootOf}
            format={format}
            onFormat={changeFormat}
            onView={changeView}
          />
        </>
      ) : null}
    </div>
  );
}

const BUILT_VIEW_KEY = "quantatom.builtView";

function loadBuiltView(storage: Storage): { cube: string; view: ViewSpec } | null {
  try {
    return JSON.parse(storage.getItem(BUILT_VIEW_KEY) ?? "null") as { cube: string; view: ViewSpec } | null;
  } catch {
    return null;
  }
}

export function messageOf(e: unknown): string {
  return e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);
}
