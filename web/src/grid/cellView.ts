// What one grid cell shows: the server's value, or the planner's own value
// while it is on its way (pending), refused (conflict, failed) or just
// committed but not yet in a refreshed grid.
import type { CellAccess } from "../api/types";
import type { QueuedEdit } from "../edits/editQueue";
import { formatValue, type NumberFormat } from "./format";
import { accessAt, axisLeaf, cellKey, cellMembers, positionKey, type GridData } from "./gridModel";

export type OwnState = "pending" | "conflict" | "failed" | "committed";

export interface OwnValue {
  value: number | null;
  state: OwnState;
  /** For a committed value: shown until the grid includes this sequence. */
  sequence?: number;
}

export interface CellView {
  text: string;
  value: number | null;
  access: CellAccess;
  /** A leaf on both axes (written directly); consolidated otherwise. */
  leaf: boolean;
  own: OwnState | null;
  highlighted: boolean;
  held: boolean;
  label: string;
}

/** The own values by cell key, the newest edit of a cell winning. */
export function ownValues(
  edits: readonly QueuedEdit[],
  cube: string,
  committed: ReadonlyMap<string, OwnValue>,
): Map<string, OwnValue> {
  const out = new Map(committed);
  for (const e of edits) {
    if (e.cube !== cube) continue;
    for (const cell of e.cells) out.set(cellKey(cell.members), { value: cell.value, state: e.state });
  }
  return out;
}

export function cellView(
  g: GridData,
  r: number,
  c: number,
  format: NumberFormat,
  own: ReadonlyMap<string, OwnValue>,
  highlights: ReadonlySet<string>,
  held: ReadonlySet<string>,
): CellView {
  const access = accessAt(g, r, c);
  const key = own.size > 0 || held.size > 0 ? cellKey(cellMembers(g, r, c)) : "";
  let mine = own.get(key);
  if (mine?.state === "committed" && mine.sequence !== undefined && g.sequence >= mine.sequence) {
    mine = undefined;
  }
  const value = mine ? mine.value : (g.values[r]?.[c] ?? null);
  const text = access === "N" ? "•••" : formatValue(value, format);
  return {
    text,
    value: access === "N" ? null : value,
    access,
    leaf: axisLeaf(g, r, c),
    own: mine?.state ?? null,
    highlighted: highlights.has(positionKey(g.rowKeys[r], g.columnKeys[c])),
    held: held.has(key),
    label: access === "N" ? "no access" : value === null ? "empty" : text,
  };
}
