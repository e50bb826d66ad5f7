// The grid of one view and everything done on it: editing, paste, undo and
// redo, live updates, conflicts, spreading, holds, cell history and charts.
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import type { ApiClient } from "../api/client";
import type { Session } from "../api/session";
import type { CubeInfo, LiveMessage, ViewSpec } from "../api/types";
import { ownValues, type OwnValue } from "../grid/cellView";
import type { NumberFormat } from "../grid/format";
import { cellKey, cellMembers, type GridData } from "../grid/gridModel";
import { PivotGrid } from "../grid/PivotGrid";
import { rangeOf } from "../grid/selection";
import { ConflictDialog } from "../panels/ConflictDialog";
import { HistoryPanel } from "../panels/HistoryPanel";
import { SpreadDialog, type SpreadTarget } from "../panels/SpreadDialog";
import { StatusBar } from "../panels/StatusBar";
import { Toolbar } from "../panels/Toolbar";
import { swapAxes, withSuppressEmpty } from "../view/viewSpec";
import { useEditQueue } from "./useEditQueue";
import { useGridData } from "./useGridData";
import { useLive } from "./useLive";
import { usePlannerActions, type Notice } from "./usePlannerActions";
import { useUndo } from "./useUndo";
import { messageOf } from "./Workspace";

const ChartPanel = lazy(() => import("../charts/ChartPanel"));

interface Props {
  client: ApiClient;
  session: Session;
  cube: CubeInfo;
  view: ViewSpec;
  rootOf(dimension: string): string;
  format: NumberFormat;
  onFormat(f: NumberFormat): void;
  onView(v: ViewSpec): void;
}

export function Planner({ client, session, cube, view, rootOf, format, onFormat, onView }: Props) {
  const { grid, error, loading, highlights, loader } = useGridData(client, cube.name, cube.dimensions, view);
  const refresh = useCallback((highlight: boolean) => loader.refresh(highlight), [loader]);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [committedOwn, setCommittedOwn] = useState<ReadonlyMap<string, OwnValue>>(new Map());
  // client_txn_ids this page sent: their live echoes need no refresh.
  const [ownIds] = useState(() => new Set<string>());
  const undo = useUndo(client, session.user, ownIds, refresh, setNotice);
  const { queue, edits, offline, storeError } = useEditQueue(client, session.user);
  const pushUndo = undo.push;

  // A committed value stays shown until a grid including it arrives.
  useEffect(
    () =>
      queue.onCommitted((edit, answer) => {
        const shown = loader.snapshot().grid?.sequence ?? 0;
        setCommittedOwn((m) => {
          const next = new Map([...m].filter(([, v]) => (v.sequence ?? 0) > shown));
          for (const cell of edit.cells) {
            next.set(cellKey(cell.members), {
              value: cell.value,
              state: "committed",
              sequence: answer.sequence,
            });
          }
          return next;
        });
        pushUndo({ sequence: answer.sequence, label: edit.label });
        if (edit.cube === cube.name) loader.refresh(false);
      }),
    [queue, loader, cube.name, pushUndo],
  );

  const isOwn = useCallback(
    (id: string) => id !== "" && (ownIds.has(id) || queue.snapshot().edits.some((e) => e.id === id)),
    [queue, ownIds],
  );
  const onLive = useCallback(
    (m: LiveMessage) => {
      if (m.type === "change" && m.cube === cube.name && !isOwn(m.client_txn_id)) refresh(true);
      else if (m.type === "reload" && m.cube === cube.name) refresh(true);
      else if (m.type === "error") setNotice({ kind: "error", text: `Live updates: ${m.message}` });
    },
    [cube.name, isOwn, refresh],
  );
  const live = useLive(client, cube.name, grid?.sequence, onLive, () => {
    queue.retryNow();
    refresh(true);
  });

  const [held, setHeld] = useState<ReadonlySet<string>>(new Set());
  const loadHolds = useCallback(() => {
    client.holds(cube.name).then(
      (h) => setHeld(new Set(h.holds.map((x) => cellKey(x.cell)))),
      () => setHeld(new Set()),
    );
  }, [client, cube.name]);
  useEffect(loadHolds, [loadHolds]);

  const [spread, setSpread] = useState<SpreadTarget | null>(null);
  const [historyOf, setHistoryOf] = useState<{ cell: string[]; label: string } | null>(null);
  const [showChart, setShowChart] = useState(true);

  const own = useMemo(() => ownValues(edits, cube.name, committedOwn), [edits, cube.name, committedOwn]);
  const actions = usePlannerActions({
    client,
    session,
    cube,
    view,
    rootOf,
    grid,
    own,
    queue,
    loader,
    ownIds,
    onView,
    setNotice,
    openSpread: setSpread,
    openHistory: setHistoryOf,
    undo,
  });

  const selection = actions.selection;
  const range = rangeOf(selection);
  const selectedCells = (g: GridData) => {
    const out: string[][] = [];
    for (let r = range.top; r <= range.bottom; r++)
      for (let c = range.left; c <= range.right; c++) out.push(cellMembers(g, r, c));
    return out;
  };
  const holdAction = (what: "hold" | "release" | "release all") => {
    if (!grid || (what !== "release all" && (grid.rows.length === 0 || grid.columns.length === 0))) return;
    const call =
      what === "hold"
        ? client.hold(cube.name, selectedCells(grid))
        : client.release(cube.name, what === "release all" ? "all" : selectedCells(grid));
    call.then(
      () => {
        setNotice({ kind: "info", text: what === "hold" ? "Held" : "Released" });
        loadHolds();
      },
      (e: unknown) => setNotice({ kind: "error", text: `${what}: ${messageOf(e)}` }),
    );
  };

  const conflict = edits.find((e) => e.state === "conflict") ?? null;
  const selectedRows = useMemo(() => {
    const out: number[] = [];
    for (let r = range.top; r <= range.bottom; r++) out.push(r);
    return out;
  }, [range.top, range.bottom]);

  return (
    <div className="planner">
      <Toolbar
        view={view}
        canUndo={undo.stacks.undo.length > 0}
        canRedo={undo.stacks.redo.length > 0}
        undoLabel={undo.stacks.undo.at(-1)?.label}
        redoLabel={undo.stacks.redo.at(-1)?.label}
        onUndo={() => void undo.undo(queue)}
        onRedo={() => void undo.redo(queue)}
        onSwap={() => onView(swapAxes(view))}
        onSuppress={(rows, columns) => onView(withSuppressEmpty(view, rows, columns))}
        onHistory={actions.openHistoryOfActive}
        onSpread={actions.openSpreadOfSelection}
        onHold={() => holdAction("hold")}
        onRelease={() => holdAction("release")}
        onReleaseAll={() => holdAction("release all")}
        format={format}
        onFormat={onFormat}
        showChart={showChart}
        onShowChart={setShowChart}
      />
      <StatusBar
        loading={loading}
        live={live}
        edits={edits}
        offline={offline}
        storeError={storeError}
        notice={notice}
        onDismissNotice={() => setNotice(null)}
        onDiscard={(id) => queue.discard(id)}
        gridError={error?.message ?? null}
      />
      <div className="main">
        {grid ? (
          <PivotGrid
            grid={grid}
            format={format}
            own={own}
            highlights={highlights}
            held={held}
            selection={selection}
            editing={actions.editing}
            actions={actions.gridActions}
            focusToken={actions.focusToken}
          />
        ) : (
          <div className="grid-placeholder">{error ? null : "Loading the grid…"}</div>
        )}
        {historyOf ? (
          <HistoryPanel
            key={historyOf.label}
            client={client}
            cube={cube.name}
            cell={historyOf.cell}
            label={historyOf.label}
            format={format}
            onClose={() => setHistoryOf(null)}
          />
        ) : null}
      </div>
      {showChart && grid ? (
        <Suspense fallback={<div className="chart-panel">Loading charts…</div>}>
          <ChartPanel
            client={client}
            cube={cube}
            view={view}
            grid={grid}
            rows={selectedRows}
            format={format}
          />
        </Suspense>
      ) : null}
      {spread && grid ? (
        <SpreadDialog
          client={client}
          cube={cube.name}
          target={spread}
          expectedSequence={grid.sequence}
          ownIds={ownIds}
          onDone={(sequence, label) => {
            setSpread(null);
            undo.push({ sequence, label });
            refresh(false);
          }}
          onClose={() => setSpread(null)}
        />
      ) : null}
      {conflict ? (
        <ConflictDialog
          edit={conflict}
          format={format}
          onKeepMine={() => queue.resolveConflict(conflict.id, true)}
          onTakeTheirs={() => queue.resolveConflict(conflict.id, false)}
        />
      ) : null}
    </div>
  );
}
