// The edit queue of the logged-in user, kept in IndexedDB, sending through
// the API client; React sees its state as a snapshot.
import { useEffect, useMemo, useSyncExternalStore } from "react";
import type { ApiClient } from "../api/client";
import { EditQueue, type QueueState } from "../edits/editQueue";
import { IndexedDbEditStore } from "../edits/idbStore";

export function useEditQueue(client: ApiClient, user: string): QueueState & { queue: EditQueue } {
  const queue = useMemo(
    () =>
      new EditQueue({
        store: new IndexedDbEditStore(),
        // Edits typed on a grid merge from its sequence, conflicts cell by cell (docs/writeback.md).
        send: (e) =>
          e.expectedSequence === undefined
            ? client.writeCells(e.cube, e.cells, undefined, e.id)
            : client.syncCells(e.cube, e.expectedSequence, e.cells, e.id),
        setTimer: (fn, ms) => setTimeout(fn, ms),
        clearTimer: (h) => {
          clearTimeout(h as ReturnType<typeof setTimeout>);
        },
      }),
    [client],
  );

  useEffect(() => {
    queue.load(user).catch((e: unknown) => {
      console.error("loading unsent edits", e);
    });
    const online = () => {
      queue.retryNow();
    };
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      queue.dispose();
    };
  }, [queue, user]);

  const state = useSyncExternalStore(queue.subscribe, queue.snapshot);
  return { ...state, queue };
}
