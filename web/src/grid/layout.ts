// Column widths from what the columns show: the widest header name and the
// widest number (the largest magnitude, formatted), within bounds.
import { formatValue, type NumberFormat } from "./format";
import type { GridData } from "./gridModel";

/** A bold digit or letter at the grid's 14px, with a margin. */
export const CHAR_PX = 8.5;
export const COLUMN_PX_MIN = 72;
export const COLUMN_PX_MAX = 240;
const PADDING_PX = 20;
const TOGGLE_PX = 20;

export function columnWidths(g: GridData, format: NumberFormat): number[] {
  return g.columns.map((tuple, c) => {
    let largest = 0;
    let negative = false;
    for (const row of g.values) {
      const v = row[c];
      if (v === null) continue;
      if (Math.abs(v) > largest) largest = Math.abs(v);
      if (v < 0) negative = true;
    }
    const value = formatValue(negative ? -largest : largest, format).length;
    const header = Math.max(...tuple.map((m) => m.name.length + (m.leaf ? 0 : TOGGLE_PX / CHAR_PX)));
    const px = Math.max(value, header) * CHAR_PX + PADDING_PX;
    return Math.round(Math.min(COLUMN_PX_MAX, Math.max(COLUMN_PX_MIN, px)));
  });
}

export function rowHeaderWidths(g: GridData): number[] {
  return g.rowDimensions.map((_, k) => {
    let widest = 6;
    for (const tuple of g.rows) widest = Math.max(widest, tuple[k].name.length + tuple[k].depth * 2);
    return Math.round(Math.min(360, Math.max(120, widest * CHAR_PX + 40)));
  });
}
