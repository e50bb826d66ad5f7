import { describe, expect, test } from "vitest";
import { ApiError } from "../api/client";
import type { CommitAnswer } from "../api/types";
import { EditQueue, RETRY_MS_MAX, RETRY_MS_MIN, type EditStore, type QueuedEdit } from "./editQueue";

class Store implements EditStore {
  readonly kept = new Map<string, QueuedEdit>();
  all() {
    return Promise.resolve([...this.kept.values()]);
  }
  put(e: QueuedEdit) {
    this.kept.set(e.id, e);
    return Promise.resolve();
  }
  remove(id: string) {
    this.kept.delete(id);
    return Promise.resolve();
  }
}

/** A queue whose sends answer from `answers`, in turn, and whose timers run when told. */
function harness(answers: (CommitAnswer | ApiError)[], store = new Store()) {
  const sent: QueuedEdit[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const committed: number[] = [];
  const queue = new EditQueue({
    store,
    send: (e) => {
      sent.push(e);
      const next = answers.shift();
      if (!next) return Promise.reject(new Error("no answer scripted"));
      return next instanceof ApiError ? Promise.reject(next) : Promise.resolve(next);
    },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
  });
  queue.onCommitted((_, a) => committed.push(a.sequence));
  return { queue, store, sent, timers, committed };
}

const edit = (id: string, over: Partial<QueuedEdit> = {}): QueuedEdit => ({
  id,
  user: "alice",
  cube: "Sales",
  cells: [{ members: ["East", "Jan"], value: 1 }],
  expectedSequence: 7,
  label: id,
  createdMs: 0,
  state: "pending",
  ...over,
});
const ok = (sequence: number): CommitAnswer => ({ sequence, atoms_changed: 1, replayed: false });
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("EditQueue", () => {
  test("keeps an edit until the server commits it, and sends in order", async () => {
    const h = harness([ok(8), ok(9)]);
    h.queue.enqueue(edit("a"));
    h.queue.enqueue(edit("b"));
    expect(h.store.kept.has("a")).toBe(true);
    await flush();
    expect(h.sent.map((e) => e.id)).toEqual(["a", "b"]);
    expect(h.committed).toEqual([8, 9]);
    expect(h.queue.snapshot().edits).toEqual([]);
    expect(h.store.kept.size).toBe(0);
  });

  test("no answer: the edit stays, is retried with the same id after growing pauses", async () => {
    const lost = new ApiError(0, "NETWORK", "no answer");
    const h = harness([lost, lost, ok(8)]);
    h.queue.enqueue(edit("a"));
    await flush();
    expect(h.queue.snapshot().offline).toBe(true);
    expect(h.queue.snapshot().edits.map((e) => e.id)).toEqual(["a"]);
    expect(h.timers.map((t) => t.ms)).toEqual([RETRY_MS_MIN]);
    h.timers[0].fn();
    await flush();
    expect(h.timers.map((t) => t.ms)).toEqual([RETRY_MS_MIN, 2 * RETRY_MS_MIN]);
    h.timers[1].fn();
    await flush();
    expect(h.sent.map((e) => e.id)).toEqual(["a", "a", "a"]);
    expect(h.queue.snapshot()).toMatchObject({ edits: [], offline: false });
  });

  test("pauses never exceed the maximum", async () => {
    const answers = Array.from({ length: 12 }, () => new ApiError(503, "UNKNOWN_OUTCOME", "retry"));
    const h = harness(answers);
    h.queue.enqueue(edit("a"));
    for (let i = 0; i < 11; i++) {
      await flush();
      h.timers[h.timers.length - 1].fn();
    }
    expect(Math.max(...h.timers.map((t) => t.ms))).toBe(RETRY_MS_MAX);
  });

  test("edits left by an earlier page of the same user are taken up and sent", async () => {
    const store = new Store();
    await store.put(edit("old", { createdMs: 2 }));
    await store.put(edit("older", { createdMs: 1 }));
    await store.put(edit("bob's", { user: "bob" }));
    const h = harness([ok(8), ok(9)], store);
    await h.queue.load("alice");
    await flush();
    expect(h.sent.map((e) => e.id)).toEqual(["older", "old"]);
    expect(store.kept.has("bob's")).toBe(true);
  });

  test("a conflict with another user waits for a choice; keeping one's own sends it over theirs", async () => {
    const conflict = new ApiError(409, "CONFLICT", "changed", {
      conflicts: [{ cell: ["East", "Jan"], sequence: 9, user: "bob", value: 4 }],
      last_sequence: 9,
    });
    const h = harness([conflict, ok(10)]);
    h.queue.enqueue(edit("a"));
    await flush();
    const [waiting] = h.queue.snapshot().edits;
    expect(waiting.state).toBe("conflict");
    expect(waiting.conflicts?.[0].user).toBe("bob");
    expect(await h.queue.idle()).toBe(true);
    h.queue.resolveConflict("a", true);
    await flush();
    expect(h.sent[1]).toMatchObject({ id: "a", expectedSequence: 9, state: "pending" });
    expect(h.queue.snapshot().edits).toEqual([]);
  });

  test("taking theirs drops one's own edit", async () => {
    const conflict = new ApiError(409, "CONFLICT", "changed", {
      conflicts: [{ cell: ["East", "Jan"], sequence: 9, user: "bob", value: 4 }],
      last_sequence: 9,
    });
    const h = harness([conflict]);
    h.queue.enqueue(edit("a"));
    await flush();
    h.queue.resolveConflict("a", false);
    expect(h.queue.snapshot().edits).toEqual([]);
    expect(h.store.kept.size).toBe(0);
  });

  test("a conflict only with one's own newer commit is no conflict", async () => {
    const own = new ApiError(409, "CONFLICT", "changed", {
      conflicts: [{ cell: ["East", "Jan"], sequence: 8, user: "alice", value: 1 }],
      last_sequence: 8,
    });
    const h = harness([ok(8), own, ok(9)]);
    h.queue.enqueue(edit("a"));
    h.queue.enqueue(edit("b"));
    await flush();
    expect(h.sent.map((e) => [e.id, e.expectedSequence])).toEqual([
      ["a", 7],
      ["b", 7],
      ["b", 8],
    ]);
    expect(h.committed).toEqual([8, 9]);
  });

  test("a refused edit stays, with the server's message, until discarded; later edits go on", async () => {
    const h = harness([new ApiError(403, "FORBIDDEN", "no write access to 1 of the 1 cells"), ok(8)]);
    h.queue.enqueue(edit("a"));
    h.queue.enqueue(edit("b"));
    await flush();
    expect(h.queue.snapshot().edits).toMatchObject([
      {
        id: "a",
        state: "failed",
        error: { code: "FORBIDDEN", message: "no write access to 1 of the 1 cells" },
      },
    ]);
    expect(h.committed).toEqual([8]);
    h.queue.discard("a");
    expect(h.queue.snapshot().edits).toEqual([]);
  });

  test("an ended session pauses sending until asked to retry", async () => {
    const h = harness([new ApiError(401, "UNAUTHENTICATED", "expired"), ok(8)]);
    h.queue.enqueue(edit("a"));
    await flush();
    expect(await h.queue.idle()).toBe(false);
    expect(h.timers).toEqual([]);
    h.queue.retryNow();
    await flush();
    expect(h.committed).toEqual([8]);
  });

  test("a store that refuses is reported, and the edit is still sent", async () => {
    const store = new Store();
    store.put = () => Promise.reject(new Error("quota"));
    const h = harness([ok(8)], store);
    h.queue.enqueue(edit("a"));
    await flush();
    expect(h.queue.snapshot().storeError).toContain("quota");
    expect(h.committed).toEqual([8]);
  });
});
