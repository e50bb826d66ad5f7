// A grid answer with what the app asks of it: each cell's members in cube
// order, its access, whether it is a leaf, and keys that name rows, columns
// and cells independently of their positions.
import type { CellAccess, GridAnswer, HeaderMember, ViewSpec } from "../api/types";

export interface GridData {
  cube: string;
  cubeDimensions: string[];
  /** A sequence the grid includes. */
  sequence: number;
  rowDimensions: string[];
  columnDimensions: string[];
  rows: HeaderMember[][];
  columns: HeaderMember[][];
  values: (number | null)[][];
  access: string[];
  context: Record<string, string>;
  rowKeys: string[];
  columnKeys: string[];
}

const SEP = "\u001f";

function tupleKey(tuple: HeaderMember[]): string {
  return tuple.map((m) => m.name).join(SEP);
}

/** A cell named by its members in cube order. */
export function cellKey(members: string[]): string {
  return members.join(SEP);
}

/** A position-free name of the grid cell at a row and column key. */
export function positionKey(rowKey: string, columnKey: string): string {
  return `${rowKey}\u001e${columnKey}`;
}

export function gridOf(
  answer: GridAnswer,
  sequence: number,
  view: ViewSpec,
  cubeDimensions: string[],
): GridData {
  return {
    cube: answer.cube,
    cubeDimensions,
    sequence,
    rowDimensions: answer.row_dimensions,
    columnDimensions: answer.column_dimensions,
    rows: answer.rows,
    columns: answer.columns,
    values: answer.values,
    access: answer.access,
    context: view.context,
    rowKeys: answer.rows.map(tupleKey),
    columnKeys: answer.columns.map(tupleKey),
  };
}

/** The members of the cell at (r, c), one per cube dimension, in cube order. */
export function cellMembers(g: GridData, r: number, c: number): string[] {
  return g.cubeDimensions.map((d) => {
    const onRows = g.rowDimensions.indexOf(d);
    if (onRows >= 0) return g.rows[r][onRows].name;
    const onColumns = g.columnDimensions.indexOf(d);
    if (onColumns >= 0) return g.columns[c][onColumns].name;
    return g.context[d];
  });
}

export function accessAt(g: GridData, r: number, c: number): CellAccess {
  return (g.access[r]?.[c] ?? "N") as CellAccess;
}

/** Whether every axis member of the cell is a leaf (the context is the view's). */
export function axisLeaf(g: GridData, r: number, c: number): boolean {
  return g.rows[r].every((m) => m.leaf) && g.columns[c].every((m) => m.leaf);
}

export function rowLabel(g: GridData, r: number): string {
  return g.rows[r].map((m) => m.name).join(" / ");
}

export function columnLabel(g: GridData, c: number): string {
  return g.columns[c].map((m) => m.name).join(" / ");
}

/** The cells whose value differs between two grids of the same view, by position key. */
export function changedCells(before: GridData, after: GridData): Set<string> {
  const out = new Set<string>();
  const rowAt = new Map(before.rowKeys.map((k, i) => [k, i]));
  const columnAt = new Map(before.columnKeys.map((k, i) => [k, i]));
  for (let r = 0; r < after.rowKeys.length; r++) {
    const br = rowAt.get(after.rowKeys[r]);
    if (br === undefined) continue;
    for (let c = 0; c < after.columnKeys.length; c++) {
      const bc = columnAt.get(after.columnKeys[c]);
      if (bc === undefined) continue;
      if (before.values[br][bc] !== after.values[r][c]) {
        out.add(positionKey(after.rowKeys[r], after.columnKeys[c]));
      }
    }
  }
  return out;
}

/** Where the cell with these members (cube order) stands in the grid, or null. */
export function findCell(g: GridData, members: string[]): { r: number; c: number } | null {
  const of = (d: string) => members[g.cubeDimensions.indexOf(d)];
  for (const d of g.cubeDimensions) {
    if (!g.rowDimensions.includes(d) && !g.columnDimensions.includes(d) && g.context[d] !== of(d))
      return null;
  }
  const r = g.rowKeys.indexOf(g.rowDimensions.map(of).join(SEP));
  const c = g.columnKeys.indexOf(g.columnDimensions.map(of).join(SEP));
  return r >= 0 && c >= 0 ? { r, c } : null;
}
