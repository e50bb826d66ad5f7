// The grid of the view shown, from a GridLoader (grid/gridLoader.ts).
import { useEffect, useMemo, useSyncExternalStore } from "react";
import type { ApiClient } from "../api/client";
import type { ViewSpec } from "../api/types";
import { GridLoader, type GridSnapshot } from "../grid/gridLoader";

export function useGridData(
  client: ApiClient,
  cube: string,
  dimensions: string[],
  view: ViewSpec,
): GridSnapshot & { loader: GridLoader } {
  const loader = useMemo(() => new GridLoader(client), [client]);
  useEffect(() => {
    loader.show(cube, view, dimensions);
  }, [loader, cube, view, dimensions]);
  const state = useSyncExternalStore(loader.subscribe, loader.snapshot);
  return { ...state, loader };
}
