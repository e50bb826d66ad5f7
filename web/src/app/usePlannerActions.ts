// What the planner does on the grid: select, edit (with an inline error for
// what is not a number), paste a block as one transaction, clear, expand
// and collapse headers, copy, open history and spreading. Edits go to the
// edit queue; an unfinished entry is kept as a draft across a reload.
import { useCallback, useEffect, useMemo, useState } from "react";
import type { ApiClient } from "../api/client";
import type { Session } from "../api/session";
import type { CellWrite, CubeInfo, ViewSpec } from "../api/types";
import { newEditId, type EditQueue } from "../edits/editQueue";
import type { EditState } from "../grid/CellEditor";
import type { GridLoader } from "../grid/gridLoader";
import type { OwnValue } from "../grid/cellView";
import {
  accessAt,
  axisLeaf,
  cellKey,
  cellMembers,
  columnLabel,
  findCell,
  rowLabel,
  type GridData,
} from "../grid/gridModel";
import type { GridKeyAction } from "../grid/keys";
import { parseEntry, parseTsv, pastedNumbers } from "../grid/parseInput";
import type { GridActions } from "../grid/PivotGrid";
import { clampSelection, extendTo, moveBy, rangeOf, single, type Selection } from "../grid/selection";
import type { SpreadTarget } from "../panels/SpreadDialog";
import { indexOfMember, toggleMember } from "../view/drill";
import { evaluateSelection } from "../view/evaluate";
import { withAxisMembers } from "../view/viewSpec";
import type { Undo } from "./useUndo";
import { messageOf } from "./Workspace";

export interface Notice {
  kind: "info" | "error";
  text: string;
}

interface Deps {
  client: ApiClient;
  session: Session;
  cube: CubeInfo;
  view: ViewSpec;
  rootOf(dimension: string): string;
  grid: GridData | null;
  own: ReadonlyMap<string, OwnValue>;
  queue: EditQueue;
  loader: GridLoader;
  ownIds: Set<string>;
  onView(v: ViewSpec): void;
  setNotice(n: Notice | null): void;
  openSpread(t: SpreadTarget): void;
  openHistory(h: { cell: string[]; label: string }): void;
  undo: Undo;
}

/** The cell being edited, by its members (the grid may refresh meanwhile), and what was typed. */
interface Editing {
  members: string[];
  /** The sequence of the grid the edit began on: sent as expected_sequence. */
  baseSequence: number;
  text: string;
  typed: boolean;
  error: string | null;
}

/** What a reload finds of an unfinished entry. */
interface Draft extends Editing {
  cube: string;
}

const draftKey = (user: string) => `quantatom.draft.${user}`;

export function usePlannerActions(d: Deps) {
  const { grid, cube, session } = d;
  const [chosen, setSelection] = useState<Selection>(single({ r: 0, c: 0 }));
  // The selection inside the grid shown (a refresh or a new view may have fewer cells).
  const selection = grid ? clampSelection(chosen, grid.rows.length, grid.columns.length) : chosen;
  const hasCells = grid !== null && grid.rows.length > 0 && grid.columns.length > 0;
  const [editing, setEditing] = useState<Editing | null>(null);
  const [focusToken, setFocusToken] = useState(0);
  const contextLeaf = useContextLeaf(d.client, d.view);
  const focusGrid = () => setFocusToken((t) => t + 1);

  const saveDraft = useCallback(
    (e: Editing | null) => {
      if (!e) sessionStorage.removeItem(draftKey(session.user));
      else
        sessionStorage.setItem(
          draftKey(session.user),
          JSON.stringify({ ...e, cube: cube.name } satisfies Draft),
        );
    },
    [cube.name, session.user],
  );

  // A draft left by a reload reopens in its cell once the first grid shows it.
  const { loader } = d;
  useEffect(() => {
    let checked = false;
    return loader.onLoaded((g) => {
      if (checked) return;
      checked = true;
      const draft = JSON.parse(sessionStorage.getItem(draftKey(session.user)) ?? "null") as Draft | null;
      if (!draft || draft.cube !== cube.name) return;
      const at = findCell(g, draft.members);
      if (!at) return;
      setSelection(single(at));
      setEditing({
        members: draft.members,
        baseSequence: draft.baseSequence,
        text: draft.text,
        typed: draft.typed,
        error: null,
      });
    });
  }, [loader, cube.name, session.user]);

  const valueAt = (g: GridData, r: number, c: number): number | null => {
    const mine = d.own.get(cellKey(cellMembers(g, r, c)));
    return mine ? mine.value : (g.values[r]?.[c] ?? null);
  };
  const consolidated = (g: GridData, r: number, c: number) => !axisLeaf(g, r, c) || contextLeaf === false;
  const label = (g: GridData, r: number, c: number) => `${rowLabel(g, r)} / ${columnLabel(g, c)}`;

  const enqueue = (g: GridData, cells: CellWrite[], what: string, baseSequence = g.sequence) => {
    const id = newEditId();
    d.ownIds.add(id);
    d.queue.enqueue({
      id,
      user: session.user,
      cube: cube.name,
      cells,
      expectedSequence: baseSequence,
      label: what,
      createdMs: Date.now(),
      state: "pending",
    });
  };

  const startEdit = (initial: string | null) => {
    if (!grid || !hasCells) return;
    const { r, c } = selection.focus;
    const access = accessAt(grid, r, c);
    if (access === "N") return d.setNotice({ kind: "error", text: "You have no access to this cell" });
    if (access === "R" && !consolidated(grid, r, c)) {
      return d.setNotice({ kind: "error", text: "This cell is read-only for you" });
    }
    const value = valueAt(grid, r, c);
    const next = {
      members: cellMembers(grid, r, c),
      baseSequence: grid.sequence,
      text: initial ?? (value === null ? "" : String(value)),
      typed: initial !== null,
      error: null,
    };
    setEditing(next);
    saveDraft(next);
  };

  // Where the edited cell stands in the grid shown now; null when a refresh took it away.
  const editingAt = grid && editing ? findCell(grid, editing.members) : null;

  const commitEdit = (move: [number, number]) => {
    if (!grid || !editing) return;
    const parsed = parseEntry(editing.text);
    if (!parsed.ok) {
      setEditing({ ...editing, error: parsed.message });
      return;
    }
    if (!editingAt) {
      d.setNotice({
        kind: "error",
        text: `The cell being edited left the grid; "${editing.text}" was not sent`,
      });
      setEditing(null);
      saveDraft(null);
      return;
    }
    const { r, c } = editingAt;
    if (accessAt(grid, r, c) === "W") {
      if (parsed.value !== valueAt(grid, r, c)) {
        enqueue(
          grid,
          [{ members: editing.members, value: parsed.value }],
          `${label(grid, r, c)} = ${editing.text.trim() || "empty"}`,
          editing.baseSequence,
        );
      }
    } else {
      if (parsed.value === null) {
        setEditing({ ...editing, error: "Type a number to spread over this consolidated cell" });
        return;
      }
      d.openSpread({ cells: [cellMembers(grid, r, c)], value: parsed.value, label: label(grid, r, c) });
    }
    setEditing(null);
    saveDraft(null);
    setSelection(moveBy(single(editingAt), move[0], move[1], grid.rows.length, grid.columns.length, false));
    focusGrid();
  };

  const clear = () => {
    if (!grid || !hasCells) return;
    const range = rangeOf(selection);
    const cells: CellWrite[] = [];
    let skipped = 0;
    for (let r = range.top; r <= range.bottom; r++) {
      for (let c = range.left; c <= range.right; c++) {
        if (accessAt(grid, r, c) !== "W") skipped++;
        else if (valueAt(grid, r, c) !== null) cells.push({ members: cellMembers(grid, r, c), value: null });
      }
    }
    if (cells.length > 0) enqueue(grid, cells, `clear ${cells.length} cell${cells.length > 1 ? "s" : ""}`);
    if (skipped > 0) d.setNotice({ kind: "info", text: `${skipped} read-only cells were left as they are` });
  };

  const paste = (text: string) => {
    if (!grid || !hasCells) return;
    const block = parseTsv(text);
    if (block.length === 0) return;
    const { top, left } = rangeOf(selection);
    const width = Math.max(...block.map((row) => row.length));
    if (top + block.length > grid.rows.length || left + width > grid.columns.length) {
      return d.setNotice({
        kind: "error",
        text: `The pasted block (${block.length} x ${width}) does not fit from the selected cell; nothing was pasted`,
      });
    }
    const parsed = pastedNumbers(block, top, left);
    if (!parsed.ok) return d.setNotice({ kind: "error", text: `${parsed.message}; nothing was pasted` });
    const refused = parsed.cells.filter((p) => accessAt(grid, p.row, p.column) !== "W");
    if (refused.length > 0) {
      const first = refused[0];
      return d.setNotice({
        kind: "error",
        text: `${refused.length} of the pasted cells cannot be written (first: ${label(grid, first.row, first.column)}); nothing was pasted`,
      });
    }
    if (parsed.cells.length === 0) return;
    enqueue(
      grid,
      parsed.cells.map((p) => ({ members: cellMembers(grid, p.row, p.column), value: p.value })),
      `paste ${block.length} x ${width} at ${label(grid, top, left)}`,
    );
    setSelection({ anchor: { r: top, c: left }, focus: { r: top + block.length - 1, c: left + width - 1 } });
  };

  const copy = (): string => {
    if (!grid || !hasCells) return "";
    const range = rangeOf(selection);
    const lines: string[] = [];
    for (let r = range.top; r <= range.bottom; r++) {
      const cells: string[] = [];
      for (let c = range.left; c <= range.right; c++) {
        const v = accessAt(grid, r, c) === "N" ? null : valueAt(grid, r, c);
        cells.push(v === null ? "" : String(v));
      }
      lines.push(cells.join("\t"));
    }
    return lines.join("\n");
  };

  const toggle = async (axis: "rows" | "columns", index: number, k: number) => {
    if (!grid) return;
    const dims = axis === "rows" ? grid.rowDimensions : grid.columnDimensions;
    const dimension = dims[k];
    const member = (axis === "rows" ? grid.rows : grid.columns)[index][k];
    const spec = d.view[axis].find((a) => a.dimension === dimension);
    const other = cube.dimensions.find((x) => x !== dimension);
    if (!spec || !other) return;
    try {
      const list = await evaluateSelection(d.client, cube.name, dimension, spec.members, {
        dimension: other,
        member: d.rootOf(other),
      });
      const i = indexOfMember(list, member.name, member.depth);
      if (i >= 0) d.onView(withAxisMembers(d.view, dimension, toggleMember(list, i)));
    } catch (e) {
      d.setNotice({ kind: "error", text: `Expanding ${member.name}: ${messageOf(e)}` });
    }
  };

  const openHistoryOfActive = () => {
    if (!grid || !hasCells) return;
    const { r, c } = selection.focus;
    if (accessAt(grid, r, c) === "N")
      return d.setNotice({ kind: "error", text: "You have no access to this cell" });
    d.openHistory({ cell: cellMembers(grid, r, c), label: label(grid, r, c) });
  };

  const openSpreadOfSelection = () => {
    if (!grid || !hasCells) return;
    const range = rangeOf(selection);
    const cells: string[][] = [];
    for (let r = range.top; r <= range.bottom; r++)
      for (let c = range.left; c <= range.right; c++) cells.push(cellMembers(grid, r, c));
    d.openSpread({
      cells,
      value: valueAt(grid, range.top, range.left),
      label: label(grid, range.top, range.left),
    });
  };

  const key = (a: GridKeyAction) => {
    if (!grid || !hasCells) return;
    const rows = grid.rows.length;
    const columns = grid.columns.length;
    switch (a.kind) {
      case "move":
        return setSelection(moveBy(selection, a.dr, a.dc, rows, columns, a.extend));
      case "extendTo":
        return setSelection(extendTo(selection, a.cell));
      case "edit":
        return startEdit(a.initial);
      case "clear":
        return clear();
      case "undo":
        return void d.undo.undo(d.queue);
      case "redo":
        return void d.undo.redo(d.queue);
      case "history":
        return openHistoryOfActive();
      case "toggle": {
        const { r, c } = selection.focus;
        const tuple = a.axis === "rows" ? grid.rows[r] : grid.columns[c];
        const k = tuple.map((m) => !m.leaf).lastIndexOf(true);
        if (k >= 0) void toggle(a.axis, a.axis === "rows" ? r : c, k);
      }
    }
  };

  const gridActions: GridActions = {
    select: (s) => {
      if (editing) commitEdit([0, 0]);
      setSelection(s);
    },
    key,
    editText: (text) => {
      if (!editing) return;
      const next = { ...editing, text, error: null };
      setEditing(next);
      saveDraft(next);
    },
    commitEdit,
    cancelEdit: () => {
      setEditing(null);
      saveDraft(null);
      focusGrid();
    },
    toggle: (axis, index, k) => void toggle(axis, index, k),
    paste,
    copy,
  };

  const editState: EditState | null =
    editing && editingAt
      ? { cell: editingAt, text: editing.text, typed: editing.typed, error: editing.error }
      : null;
  return {
    selection,
    editing: editState,
    focusToken,
    gridActions,
    openHistoryOfActive,
    openSpreadOfSelection,
  };
}

/** Whether every context member is a leaf (null until known): then axis leaves are leaf cells. */
function useContextLeaf(client: ApiClient, view: ViewSpec): boolean | null {
  const entries = useMemo(() => Object.entries(view.context), [view.context]);
  const [known, setKnown] = useState<{ entries: [string, string][]; leaf: boolean | null } | null>(null);
  useEffect(() => {
    let cancelled = false;
    Promise.all(
      entries.map(async ([dimension, member]) => {
        const found = await client.members(dimension, member, 100);
        const m = found.members.find(
          (x) =>
            x.name.toLowerCase() === member.toLowerCase() ||
            x.aliases.some((a) => a.toLowerCase() === member.toLowerCase()),
        );
        return m?.leaf ?? false;
      }),
    ).then(
      (leaves) => !cancelled && setKnown({ entries, leaf: leaves.every(Boolean) }),
      () => !cancelled && setKnown({ entries, leaf: null }),
    );
    return () => {
      cancelled = true;
    };
  }, [client, entries]);
  return known?.entries === entries ? known.leaf : null;
}
