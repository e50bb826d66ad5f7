// The selected range of cells: an anchor and a focus (the active cell).

export interface Cell {
  r: number;
  c: number;
}

export interface Selection {
  anchor: Cell;
  focus: Cell;
}

export interface Range {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export function single(cell: Cell): Selection {
  return { anchor: cell, focus: cell };
}

function clamp(v: number, max: number): number {
  return Math.max(0, Math.min(v, max - 1));
}

/** Moves the focus by (dr, dc) within a grid of rows x columns; extending keeps the anchor. */
export function moveBy(
  s: Selection,
  dr: number,
  dc: number,
  rows: number,
  columns: number,
  extend: boolean,
): Selection {
  const focus = { r: clamp(s.focus.r + dr, rows), c: clamp(s.focus.c + dc, columns) };
  return extend ? { anchor: s.anchor, focus } : single(focus);
}

export function extendTo(s: Selection, cell: Cell): Selection {
  return { anchor: s.anchor, focus: cell };
}

export function rangeOf(s: Selection): Range {
  return {
    top: Math.min(s.anchor.r, s.focus.r),
    bottom: Math.max(s.anchor.r, s.focus.r),
    left: Math.min(s.anchor.c, s.focus.c),
    right: Math.max(s.anchor.c, s.focus.c),
  };
}

export function inRange(range: Range, r: number, c: number): boolean {
  return r >= range.top && r <= range.bottom && c >= range.left && c <= range.right;
}

/** A selection kept inside a grid that may have shrunk. */
export function clampSelection(s: Selection, rows: number, columns: number): Selection {
  const fit = (cell: Cell) => ({ r: clamp(cell.r, rows), c: clamp(cell.c, columns) });
  return { anchor: fit(s.anchor), focus: fit(s.focus) };
}
