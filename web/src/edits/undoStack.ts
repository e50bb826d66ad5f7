// Undo and redo of one's own transactions. Undoing sequence S commits a
// compensating transaction U on the server; redo undoes U. Each stack holds
// the transaction that its next step undoes.

export interface UndoEntry {
  sequence: number;
  label: string;
}

export interface UndoStacks {
  undo: UndoEntry[];
  redo: UndoEntry[];
}

export const EMPTY_STACKS: UndoStacks = { undo: [], redo: [] };
const DEPTH_MAX = 100;

/** A new transaction of one's own: undoable, and the redo history ends. */
export function committed(s: UndoStacks, entry: UndoEntry): UndoStacks {
  return { undo: [...s.undo, entry].slice(-DEPTH_MAX), redo: [] };
}

/** After the top of `undo` was undone by transaction `undoSequence`. */
export function undone(s: UndoStacks, undoSequence: number): UndoStacks {
  const top = s.undo[s.undo.length - 1];
  return {
    undo: s.undo.slice(0, -1),
    redo: [...s.redo, { sequence: undoSequence, label: top.label }],
  };
}

/** After the top of `redo` was undone (redone) by transaction `redoSequence`. */
export function redone(s: UndoStacks, redoSequence: number): UndoStacks {
  const top = s.redo[s.redo.length - 1];
  return {
    undo: [...s.undo, { sequence: redoSequence, label: top.label }],
    redo: s.redo.slice(0, -1),
  };
}
