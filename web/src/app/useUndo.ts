// Undo and redo of the planner's own transactions through the server,
// after every edit before them has been sent. The stacks survive a reload
// of the tab (sessionStorage).
import { useCallback, useEffect, useRef, useState } from "react";
import type { ApiClient } from "../api/client";
import { newEditId, type EditQueue } from "../edits/editQueue";
import { committed, EMPTY_STACKS, redone, undone, type UndoEntry, type UndoStacks } from "../edits/undoStack";
import type { Notice } from "./usePlannerActions";
import { messageOf } from "./Workspace";

export interface Undo {
  stacks: UndoStacks;
  push(entry: UndoEntry): void;
  undo(queue: EditQueue): Promise<void>;
  redo(queue: EditQueue): Promise<void>;
}

const key = (user: string) => `quantatom.undo.${user}`;

function loadStacks(user: string): UndoStacks {
  try {
    const s = JSON.parse(sessionStorage.getItem(key(user)) ?? "null") as UndoStacks | null;
    return s && Array.isArray(s.undo) && Array.isArray(s.redo) ? s : EMPTY_STACKS;
  } catch {
    return EMPTY_STACKS;
  }
}

export function useUndo(
  client: ApiClient,
  user: string,
  ownIds: Set<string>,
  refresh: (highlight: boolean) => void,
  notify: (n: Notice) => void,
): Undo {
  const [stacks, setStacks] = useState<UndoStacks>(() => loadStacks(user));
  const latest = useRef(stacks);
  const busy = useRef(false);
  useEffect(() => {
    latest.current = stacks;
    sessionStorage.setItem(key(user), JSON.stringify(stacks));
  }, [stacks, user]);

  const push = useCallback((entry: UndoEntry) => setStacks((s) => committed(s, entry)), []);

  const step = useCallback(
    async (queue: EditQueue, which: "undo" | "redo") => {
      const top = latest.current[which].at(-1);
      if (!top) {
        notify({ kind: "info", text: `Nothing to ${which}` });
        return;
      }
      if (busy.current) return;
      busy.current = true;
      try {
        if (!(await queue.idle())) {
          notify({
            kind: "error",
            text: `${which === "undo" ? "Undo" : "Redo"} waits until your edits are sent`,
          });
          return;
        }
        const id = newEditId();
        ownIds.add(id);
        const answer = await client.undo(top.sequence, id);
        setStacks((s) => (which === "undo" ? undone(s, answer.sequence) : redone(s, answer.sequence)));
        notify({ kind: "info", text: `${which === "undo" ? "Undone" : "Redone"}: ${top.label}` });
        refresh(false);
      } catch (e) {
        notify({ kind: "error", text: `${which === "undo" ? "Undo" : "Redo"} refused: ${messageOf(e)}` });
      } finally {
        busy.current = false;
      }
    },
    [client, ownIds, refresh, notify],
  );

  return {
    stacks,
    push,
    undo: useCallback((q: EditQueue) => step(q, "undo"), [step]),
    redo: useCallback((q: EditQueue) => step(q, "redo"), [step]),
  };
}
