// Loads the grid of the view shown: again when the view changes, and on
// refresh after one's own commits or others' changes, coalesced: at most
// one request in flight and one more queued after it; an answer to a view
// no longer shown is dropped. Cells that others changed are highlighted
// for a moment.
import { ApiError, type ApiClient } from "../api/client";
import type { ViewSpec } from "../api/types";
import { changedCells, gridOf, type GridData } from "./gridModel";

const HIGHLIGHT_MS = 1500;

export interface GridSnapshot {
  grid: GridData | null;
  error: ApiError | null;
  loading: boolean;
  highlights: ReadonlySet<string>;
}

interface Target {
  cube: string;
  view: ViewSpec;
  dimensions: string[];
}

export class GridLoader {
  private state: GridSnapshot = { grid: null, error: null, loading: false, highlights: new Set() };
  private target: Target | null = null;
  private generation = 0;
  private busy = false;
  /** A refresh asked for while busy: whether it highlights. */
  private queued: boolean | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly loadedListeners = new Set<(g: GridData) => void>();

  constructor(private readonly client: ApiClient) {}

  snapshot = (): GridSnapshot => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Told of every grid loaded. */
  onLoaded(listener: (g: GridData) => void): () => void {
    this.loadedListeners.add(listener);
    return () => this.loadedListeners.delete(listener);
  }

  show(cube: string, view: ViewSpec, dimensions: string[]): void {
    this.target = { cube, view, dimensions };
    this.queued = null;
    this.busy = false;
    void this.load(false, true);
  }

  refresh(highlight: boolean): void {
    void this.load(highlight, false);
  }

  private async load(highlight: boolean, fresh: boolean): Promise<void> {
    const target = this.target;
    if (!target) return;
    if (this.busy) {
      this.queued = (this.queued ?? false) || highlight;
      return;
    }
    const mine = ++this.generation;
    this.busy = true;
    this.set({ loading: true });
    try {
      const answer = await this.client.grid(target.cube, target.view);
      if (mine !== this.generation) return;
      const next = gridOf(answer.answer, answer.sequence, target.view, target.dimensions);
      const before = fresh ? null : this.state.grid;
      const changed = highlight && before ? changedCells(before, next) : null;
      this.set({ grid: next, error: null, ...(changed && changed.size > 0 ? { highlights: changed } : {}) });
      if (changed && changed.size > 0) {
        setTimeout(() => {
          if (this.state.highlights === changed) this.set({ highlights: new Set() });
        }, HIGHLIGHT_MS);
      }
      for (const l of this.loadedListeners) l(next);
    } catch (e) {
      if (mine === this.generation) {
        this.set({ error: e instanceof ApiError ? e : new ApiError(0, "INTERNAL", String(e)) });
      }
    } finally {
      if (mine === this.generation) {
        this.busy = false;
        this.set({ loading: false });
        const again = this.queued;
        this.queued = null;
        if (again !== null) void this.load(again, false);
      }
    }
  }

  private set(change: Partial<GridSnapshot>): void {
    this.state = { ...this.state, ...change };
    for (const l of this.listeners) l();
  }
}
