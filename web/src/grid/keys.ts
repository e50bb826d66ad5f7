// Spreadsheet keys on the grid (not while editing a cell): what each means.
import type { Cell } from "./selection";

export type GridKeyAction =
  | { kind: "move"; dr: number; dc: number; extend: boolean }
  | { kind: "extendTo"; cell: Cell }
  | { kind: "edit"; initial: string | null }
  | { kind: "clear" }
  | { kind: "undo" }
  | { kind: "redo" }
  | { kind: "toggle"; axis: "rows" | "columns" }
  | { kind: "history" };

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

const FAR = 1_000_000;
export const PAGE_ROWS = 20;

const MOVES: Partial<Record<string, [number, number]>> = {
  ArrowUp: [-1, 0],
  ArrowDown: [1, 0],
  ArrowLeft: [0, -1],
  ArrowRight: [0, 1],
  PageUp: [-PAGE_ROWS, 0],
  PageDown: [PAGE_ROWS, 0],
  Home: [0, -FAR],
  End: [0, FAR],
};

export function gridKeyAction(e: KeyLike): GridKeyAction | null {
  const command = e.ctrlKey || e.metaKey;
  if (command && !e.altKey) {
    const k = e.key.toLowerCase();
    if (k === "z") return e.shiftKey ? { kind: "redo" } : { kind: "undo" };
    if (k === "y") return { kind: "redo" };
    if (e.key === "Home") return { kind: "move", dr: -FAR, dc: -FAR, extend: e.shiftKey };
    if (e.key === "End") return { kind: "move", dr: FAR, dc: FAR, extend: e.shiftKey };
    return null;
  }
  if (e.altKey) {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") return { kind: "toggle", axis: "rows" };
    if (e.key === "ArrowDown" || e.key === "ArrowUp") return { kind: "toggle", axis: "columns" };
    if (e.key.toLowerCase() === "h") return { kind: "history" };
    return null;
  }
  const move = MOVES[e.key];
  if (move) return { kind: "move", dr: move[0], dc: move[1], extend: e.shiftKey };
  if (e.key === "Enter" || e.key === "F2") return { kind: "edit", initial: null };
  if (e.key === "Delete" || e.key === "Backspace") return { kind: "clear" };
  if (e.key.length === 1) return { kind: "edit", initial: e.key };
  return null;
}
