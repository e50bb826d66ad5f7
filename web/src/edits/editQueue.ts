// Edits on their way to the server. Each is kept in a store (IndexedDB in
// the browser) before it is sent and removed only once the server has
// committed it, so a reload or a lost connection never drops one. They are
// sent one at a time, in order, each with its own client_txn_id: sent again
// after a lost answer, the server does not apply it twice. An edit carries
// the sequence of the grid it was typed on, and the server merges it from
// there (POST /api/cubes/{cube}/sync), so edits made offline meet the
// changes made meanwhile cell by cell.
import { ApiError } from "../api/client";
import type { CellWrite, CommitAnswer, ConflictCell } from "../api/types";

export interface QueuedEdit {
  /** Also the client_txn_id. */
  id: string;
  user: string;
  cube: string;
  cells: CellWrite[];
  /** The sequence of the grid the planner typed into: the edit merges from there. */
  expectedSequence?: number;
  /** What the planner did, for lists and undo ("East / Jan = 120"). */
  label: string;
  createdMs: number;
  /** pending: to be sent; conflict: the server had newer values; failed: refused. */
  state: "pending" | "conflict" | "failed";
  error?: { code: string; message: string };
  conflicts?: ConflictCell[];
  /** The last sequence a conflict answer named: keeping one's own values sends it. */
  conflictSequence?: number;
}

export interface EditStore {
  all(): Promise<QueuedEdit[]>;
  put(edit: QueuedEdit): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface QueueDeps {
  store: EditStore;
  send(edit: QueuedEdit): Promise<CommitAnswer>;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** What the page shows of the queue; a new object on every change. */
export interface QueueState {
  edits: readonly QueuedEdit[];
  /** The last attempt got no answer; retrying. */
  offline: boolean;
  /** Why the store could not keep an edit, when it could not. */
  storeError: string | null;
}

export const RETRY_MS_MIN = 500;
export const RETRY_MS_MAX = 10_000;

export class EditQueue {
  private state: QueueState = { edits: [], offline: false, storeError: null };
  private sending = false;
  private paused = false;
  private retryMs = 0;
  private timer: unknown = null;
  private readonly listeners = new Set<() => void>();
  private readonly committedListeners = new Set<(edit: QueuedEdit, answer: CommitAnswer) => void>();
  private readonly idleWaiters: ((allSent: boolean) => void)[] = [];
  /** Sequences this client committed: a conflict with one of them alone is no conflict. */
  private readonly own = new Set<number>();

  constructor(private readonly deps: QueueDeps) {}

  snapshot = (): QueueState => this.state;

  private get edits(): readonly QueuedEdit[] {
    return this.state.edits;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Told of every edit the server committed, after it left the queue. */
  onCommitted(listener: (edit: QueuedEdit, answer: CommitAnswer) => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /** Takes up the edits a previous page of this user left unsent, and sends them. */
  async load(user: string): Promise<void> {
    this.paused = false;
    const kept = (await this.deps.store.all()).filter((e) => e.user === user);
    kept.sort((a, b) => a.createdMs - b.createdMs);
    const known = new Set(this.edits.map((e) => e.id));
    this.set([...this.edits, ...kept.filter((e) => !known.has(e.id))]);
    void this.pump();
  }

  /** Keeps the edit, then sends it (both at once: a retry after a reload is safe). */
  enqueue(edit: QueuedEdit): void {
    this.set([...this.edits, edit]);
    this.deps.store.put(edit).then(
      () => this.clearStoreError(),
      (e: unknown) => this.reportStoreError(e),
    );
    void this.pump();
  }

  /** Keep one's own values (sent again over the newer ones) or take the newer ones (dropped). */
  resolveConflict(id: string, keepMine: boolean): void {
    const edit = this.edits.find((e) => e.id === id);
    if (!edit || edit.state !== "conflict") return;
    if (!keepMine) {
      this.drop(id);
      return;
    }
    // Nothing of a refused write was committed: the same client_txn_id is sent again.
    this.replace({
      ...edit,
      state: "pending",
      expectedSequence: edit.conflictSequence,
      conflicts: undefined,
    });
    void this.pump();
  }

  /** The planner dismisses an edit the server refused. */
  discard(id: string): void {
    this.drop(id);
  }

  /** Sends now instead of at the next retry (the connection is back, the user logged in again). */
  retryNow(): void {
    this.paused = false;
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    this.retryMs = 0;
    void this.pump();
  }

  /** Stops sending (the page leaves this session); the kept edits stay in the store. */
  dispose(): void {
    this.paused = true;
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
  }

  /** Resolves once every pending edit is sent (true), or sending stalls (false). */
  idle(): Promise<boolean> {
    if (!this.edits.some((e) => e.state === "pending")) return Promise.resolve(true);
    if (!this.sending && (this.timer !== null || this.paused)) return Promise.resolve(false);
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    if (this.sending || this.paused || this.timer !== null) return;
    this.sending = true;
    try {
      for (;;) {
        const next = this.edits.find((e) => e.state === "pending");
        if (!next) break;
        if (!(await this.attempt(next))) break;
      }
    } finally {
      this.sending = false;
      const allSent = !this.edits.some((e) => e.state === "pending");
      for (const resolve of this.idleWaiters.splice(0)) resolve(allSent);
    }
  }

  /** Sends one edit; false when sending must wait (no answer, or the session ended). */
  private async attempt(edit: QueuedEdit): Promise<boolean> {
    try {
      const answer = await this.deps.send(edit);
      this.own.add(answer.sequence);
      this.update({ offline: false });
      this.retryMs = 0;
      // Listeners first: the grid's refresh starts before the page re-renders the queue.
      for (const l of this.committedListeners) l(edit, answer);
      this.drop(edit.id);
      return true;
    } catch (e) {
      const error =
        e instanceof ApiError ? e : new ApiError(0, "NETWORK", e instanceof Error ? e.message : String(e));
      return this.failed(edit, error);
    }
  }

  private failed(edit: QueuedEdit, error: ApiError): boolean {
    if (error.isRetryable) {
      this.update({ offline: true });
      this.retryMs = Math.min(RETRY_MS_MAX, Math.max(RETRY_MS_MIN, this.retryMs * 2));
      this.timer = this.deps.setTimer(() => {
        this.timer = null;
        void this.pump();
      }, this.retryMs);
      this.notify();
      return false;
    }
    if (error.status === 401) {
      this.paused = true;
      this.notify();
      return false;
    }
    if (error.code === "CONFLICT") {
      const conflicts = (error.details.conflicts ?? []) as ConflictCell[];
      const last = Number(error.details.last_sequence ?? 0);
      if (conflicts.length > 0 && conflicts.every((c) => this.own.has(c.sequence))) {
        this.replace({ ...edit, expectedSequence: last });
        return true;
      }
      this.replace({ ...edit, state: "conflict", conflicts, conflictSequence: last });
      return true;
    }
    this.replace({ ...edit, state: "failed", error: { code: error.code, message: error.message } });
    return true;
  }

  private replace(edit: QueuedEdit): void {
    const at = this.edits.findIndex((e) => e.id === edit.id);
    if (at < 0) return;
    const next = [...this.edits];
    next[at] = edit;
    this.set(next);
    this.deps.store.put(edit).catch((e: unknown) => this.reportStoreError(e));
  }

  private drop(id: string): void {
    this.set(this.edits.filter((e) => e.id !== id));
    this.deps.store.remove(id).catch((e: unknown) => this.reportStoreError(e));
  }

  private set(edits: readonly QueuedEdit[]): void {
    this.update({ edits });
  }

  private update(change: Partial<QueueState>): void {
    if (Object.entries(change).every(([k, v]) => this.state[k as keyof QueueState] === v)) return;
    this.state = { ...this.state, ...change };
    this.notify();
  }

  private reportStoreError(e: unknown): void {
    this.update({
      storeError: `edits cannot be kept in this browser (${String(e)}); keep this page open until they are sent`,
    });
  }

  private clearStoreError(): void {
    this.update({ storeError: null });
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

/** A client_txn_id: random, and available outside secure contexts too. */
export function newEditId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
