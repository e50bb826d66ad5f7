// The editor over the active cell. Enter, Tab and (when the edit began by
// typing) the arrow keys commit and move; Escape cancels. A value that is
// not a number stays in the editor with the reason beside it.
import { useLayoutEffect, useRef, type KeyboardEvent } from "react";
import type { Cell } from "./selection";

export interface EditState {
  cell: Cell;
  text: string;
  /** Began by typing (arrows commit) rather than F2, Enter or a double click (arrows move the caret). */
  typed: boolean;
  error: string | null;
}

interface Props {
  state: EditState;
  label: string;
  onText(text: string): void;
  onCommit(move: [number, number]): void;
  onCancel(): void;
}

const ARROWS: Partial<Record<string, [number, number]>> = {
  ArrowUp: [-1, 0],
  ArrowDown: [1, 0],
  ArrowLeft: [0, -1],
  ArrowRight: [0, 1],
};

export function CellEditor({ state, label, onText, onCommit, onCancel }: Props) {
  const input = useRef<HTMLInputElement>(null);
  // Before the next key arrives, so fast typing lands in the editor.
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus({ preventScroll: true });
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    e.stopPropagation();
    let move: [number, number] | null = null;
    if (e.key === "Enter") move = [e.shiftKey ? -1 : 1, 0];
    else if (e.key === "Tab") move = [0, e.shiftKey ? -1 : 1];
    else if (state.typed) move = ARROWS[e.key] ?? null;
    if (e.key === "Escape") {
      e.preventDefault();
      onCancel();
      return;
    }
    if (move) {
      e.preventDefault();
      onCommit(move);
    }
  };

  return (
    <>
      <input
        ref={input}
        className={`cell-editor ${state.error ? "invalid" : ""}`}
        aria-label={label}
        aria-invalid={state.error !== null}
        aria-describedby={state.error ? "cell-error" : undefined}
        inputMode="decimal"
        value={state.text}
        onChange={(e) => onText(e.target.value)}
        onKeyDown={onKeyDown}
        onMouseDown={(e) => e.stopPropagation()}
      />
      {state.error ? (
        <div id="cell-error" role="alert" className="cell-error">
          {state.error}
        </div>
      ) : null}
    </>
  );
}
