// Unsent edits kept in IndexedDB, so they survive a reload or a crash of
// the tab. One object store keyed by the edit's id. Where IndexedDB is
// missing or refuses, the queue reports it and the page says so.
import type { EditStore, QueuedEdit } from "./editQueue";

const DB_NAME = "quantatom";
const STORE = "edits";

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("IndexedDB request failed"));
  });
}

function open(): Promise<IDBDatabase> {
  const r = indexedDB.open(DB_NAME, 1);
  r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: "id" });
  return request(r);
}

export class IndexedDbEditStore implements EditStore {
  private db: Promise<IDBDatabase> | null = null;

  private async transaction(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    this.db ??= open();
    return (await this.db).transaction(STORE, mode).objectStore(STORE);
  }

  async all(): Promise<QueuedEdit[]> {
    return request((await this.transaction("readonly")).getAll() as IDBRequest<QueuedEdit[]>);
  }

  put(edit: QueuedEdit): Promise<void> {
    return this.write((store) => store.put(edit));
  }

  remove(id: string): Promise<void> {
    return this.write((store) => store.delete(id));
  }

  /** Resolves once the change is durable in the browser (the transaction completed). */
  private async write(change: (store: IDBObjectStore) => IDBRequest): Promise<void> {
    const store = await this.transaction("readwrite");
    const done = committed(store.transaction);
    change(store);
    await done;
  }
}

function committed(t: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error ?? new Error("IndexedDB transaction failed"));
    t.onabort = () => reject(t.error ?? new Error("IndexedDB transaction aborted"));
  });
}
