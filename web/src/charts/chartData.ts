// What the charts under the grid draw, from grids: the selected rows as
// series across the columns (time), and the variance between two versions.
import { columnLabel, rowLabel, type GridData } from "../grid/gridModel";

export interface Series {
  name: string;
  values: (number | null)[];
}

export interface ChartData {
  categories: string[];
  series: Series[];
}

export const SERIES_MAX = 8;

/** The rows `rows` (indices) of a grid as series over its columns. */
export function rowSeries(g: GridData, rows: number[]): ChartData {
  return {
    categories: g.columns.map((_, c) => columnLabel(g, c)),
    series: rows.slice(0, SERIES_MAX).map((r) => ({ name: rowLabel(g, r), values: g.values[r] })),
  };
}

/**
 * Per selected row (by key) and column, version B minus version A, from two
 * grids of one view that differ only in the version. An empty cell counts
 * as 0 when the other version has a value; both empty gives no bar.
 */
export function variance(a: GridData, b: GridData, rowKeys: string[]): ChartData {
  const rowIn = (g: GridData) => new Map(g.rowKeys.map((k, i) => [k, i]));
  const ra = rowIn(a);
  const rb = rowIn(b);
  const series: Series[] = [];
  for (const key of rowKeys.slice(0, SERIES_MAX)) {
    const ia = ra.get(key);
    const ib = rb.get(key);
    if (ia === undefined || ib === undefined) continue;
    series.push({
      name: rowLabel(a, ia),
      values: a.columns.map((_, c) => {
        const va = a.values[ia][c];
        const vb = b.values[ib][c];
        return va === null && vb === null ? null : (vb ?? 0) - (va ?? 0);
      }),
    });
  }
  return { categories: a.columns.map((_, c) => columnLabel(a, c)), series };
}
