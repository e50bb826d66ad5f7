// The server's JSON shapes (docs/api.md, docs/view.md), in one place.

export interface LoginAnswer {
  token: string;
  expires_s: number;
  user: string;
  admin: boolean;
}

export interface CubeInfo {
  name: string;
  dimensions: string[];
  atoms?: number;
}

export interface DimensionInfo {
  name: string;
  members: number;
  leaves: number;
  max_level: number;
  roots: string[];
}

export interface ModelAnswer {
  last_sequence: number;
  cubes: CubeInfo[];
  dimensions: DimensionInfo[];
}

export interface MemberInfo {
  name: string;
  aliases: string[];
  leaf: boolean;
  level: number;
  depth: number;
  parents: { name: string; weight: number }[];
}

export interface MembersAnswer {
  dimension: string;
  matches: number;
  members: MemberInfo[];
}

/** One axis dimension of a view: a dimension and its selection terms. */
export interface AxisSpec {
  dimension: string;
  members: string[];
}

/** The view JSON of docs/view.md, as this app writes it. */
export interface ViewSpec {
  rows: AxisSpec[];
  columns: AxisSpec[];
  context: Record<string, string>;
  suppress_empty: { rows: boolean; columns: boolean };
}

export interface HeaderMember {
  name: string;
  depth: number;
  leaf: boolean;
}

/** Access of a cell: W writable leaf, R read only, N masked. */
export type CellAccess = "W" | "R" | "N";

export interface GridAnswer {
  cube: string;
  row_dimensions: string[];
  column_dimensions: string[];
  rows: HeaderMember[][];
  columns: HeaderMember[][];
  values: (number | null)[][];
  access: string[];
}

export interface CellWrite {
  members: string[];
  value: number | null;
}

export interface CommitAnswer {
  sequence: number;
  atoms_changed: number;
  replayed: boolean;
}

/** A cell of offline edits the server changed meanwhile (POST /api/cubes/{cube}/sync). */
export interface SyncConflict {
  cell: string[];
  base: number | null;
  mine: number | null;
  theirs: number | null;
  result: number | null;
  sequence: number;
  user: string;
}

export interface SyncAnswer {
  sequence: number;
  refused: boolean;
  cells_applied: number;
  conflicts: SyncConflict[];
  last_sequence: number;
}

export interface UndoAnswer extends CommitAnswer {
  undone: number;
}

export interface ConflictCell {
  cell: string[];
  sequence: number;
  user: string;
  value: number | null;
}

export interface CellChange {
  sequence: number;
  time_us: number;
  user: string;
  kind: string;
  atom: string[];
  old_value: number | null;
  new_value: number | null;
  weight: number;
}

export interface HistoryAnswer {
  cube: string;
  cell: string[];
  changes_omitted: number;
  changes: CellChange[];
}

export interface Delta {
  cell: string[];
  old_value: number | null;
  new_value: number | null;
}

export interface ChangeMessage {
  type: "change";
  sequence: number;
  time_us: number;
  user: string;
  kind: string;
  cube: string;
  client_txn_id: string;
  deltas: Delta[];
  deltas_count: number;
  deltas_omitted: number;
}

export type LiveMessage =
  | ChangeMessage
  | { type: "subscribed"; cube: string; sequence: number }
  | { type: "unsubscribed"; cube: string }
  | { type: "reload"; cube: string; sequence: number }
  | { type: "error"; code: string; message: string; op?: string; cube?: string };

export interface SavedView {
  name: string;
  view: ViewSpec;
}

export interface SpreadMethod {
  code: string;
  name: string;
  label: string;
  parameters: unknown[];
}

export type SpreadAction = "replace" | "add" | "subtract";

/** A value spread by a method, or a TM1 shorthand expression ("P<>100"). */
export type SpreadRequest = {
  cells: string[][];
  expected_sequence?: number;
  client_txn_id?: string;
} & ({ method: string; value: number; action: SpreadAction } | { expression: string });

export interface Hold {
  cell: string[];
}
