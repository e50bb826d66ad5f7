// Code run inside the page by the benchmark: it times what the planner
// sees (a frame painted), not what the test driver sees.

declare global {
  interface Window {
    qaFirstGridMs?: number;
  }
}

/** Installed before the app loads: when the first grid cell is painted, in ms since navigation. */
export function recordFirstGrid(): void {
  const observer = new MutationObserver(() => {
    if (!document.querySelector("[role=gridcell]")) return;
    observer.disconnect();
    requestAnimationFrame(() =>
      setTimeout(() => {
        window.qaFirstGridMs = performance.now();
      }, 0),
    );
  });
  observer.observe(document, { childList: true, subtree: true });
}

export interface ScrollReport {
  frameMs: number[];
  blankFrames: number;
  frames: number;
  rowsPassed: number;
  /** Frames whose main-thread work (script, style, layout) took over 50 ms (Long Animation Frames). */
  longFrames: number;
}

/**
 * Scrolls the grid from top to bottom by `stepPx` a frame. Each frame,
 * before it is painted, looks at points spread over the visible cells and
 * counts the frame blank when any point shows no cell.
 */
export function scrollThrough(stepPx: number): Promise<ScrollReport> {
  const FRAMES_MAX = 20_000;
  const grid = document.querySelector<HTMLElement>("[role=grid]");
  if (!grid) throw new Error("no grid");
  const header = grid.querySelector<HTMLElement>(".column-headers");
  const corner = grid.querySelector<HTMLElement>(".corner");
  const box = grid.getBoundingClientRect();
  const top = box.top + (header?.offsetHeight ?? 0) + 2;
  const left = box.left + (corner?.offsetWidth ?? 0) + 2;
  const points: [number, number][] = [];
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      points.push([left + ((box.right - 2 - left) * j) / 5, top + ((box.bottom - 2 - top) * i) / 5]);
    }
  }
  const shown = (x: number, y: number) => {
    const el = document.elementFromPoint(x, y);
    return el !== null && el.closest(".cell, .header, .corner") !== null;
  };
  const frameMs: number[] = [];
  let blankFrames = 0;
  let longFrames = 0;
  let last = 0;
  const long = new PerformanceObserver((list) => {
    longFrames += list.getEntries().length;
  });
  long.observe({ type: "long-animation-frame" });
  grid.scrollTop = 0;
  return new Promise((resolve) => {
    const frame = (t: number) => {
      if (last > 0) frameMs.push(t - last);
      last = t;
      if (!points.every(([x, y]) => shown(x, y))) blankFrames++;
      const atEnd = grid.scrollTop + grid.clientHeight >= grid.scrollHeight - 1;
      if (atEnd || frameMs.length >= FRAMES_MAX) {
        const rowsPassed = Math.round(grid.scrollTop / 26);
        setTimeout(() => {
          long.disconnect();
          resolve({ frameMs, blankFrames, longFrames, frames: frameMs.length + 1, rowsPassed });
        }, 100);
        return;
      }
      grid.scrollTop += stepPx;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

export interface EnterTiming {
  /** From the Enter keydown to the frame painted after the total showed its new value. */
  totalMs: number;
  /** The write request, as the browser timed it (the server's commit and the round trip). */
  writeMs: number;
  /** The grid request that brought the new total. */
  gridMs: number;
}

/**
 * Times the next Enter: to the frame painted after the cell labelled
 * `label` shows `expected`, and the two requests on the way.
 */
export function timeEnterToText(args: { label: string; expected: string }): Promise<EnterTiming> {
  return new Promise((resolve, reject) => {
    let start = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Enter") start = performance.now();
    };
    document.addEventListener("keydown", onKey, { capture: true });
    const duration = (path: string) => {
      const entries = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter(
        (e) => e.name.includes(path) && e.startTime >= start,
      );
      const first = entries.at(0);
      return first ? first.responseEnd - first.startTime : -1;
    };
    const done = () => {
      observer.disconnect();
      document.removeEventListener("keydown", onKey, { capture: true });
      requestAnimationFrame(() =>
        setTimeout(() => {
          resolve({
            totalMs: performance.now() - start,
            writeMs: duration("/sync"),
            gridMs: duration("/view"),
          });
          performance.clearResourceTimings();
        }, 0),
      );
    };
    const check = () => {
      if (start === 0) return;
      const el = document.querySelector(`[role=gridcell][aria-label^=${JSON.stringify(args.label)}]`);
      if (el?.textContent.trim() === args.expected) done();
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    setTimeout(() => reject(new Error(`"${args.label}" did not show ${args.expected}`)), 10_000);
  });
}

/**
 * Resolves with the time (ms since the epoch, from performance.timeOrigin)
 * of the frame painted after the cell labelled `label` shows `expected`.
 */
export function paintedWhenText(args: { label: string; expected: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const el = document.querySelector(`[role=gridcell][aria-label^=${JSON.stringify(args.label)}]`);
      if (el?.textContent.trim() !== args.expected) return;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.timeOrigin + performance.now()), 0));
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    check();
    setTimeout(() => reject(new Error(`"${args.label}" did not show ${args.expected}`)), 10_000);
  });
}

/** Resolves with the time (ms since the epoch) of the next Enter keydown. */
export function nextEnterAt(): Promise<number> {
  return new Promise((resolve) => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Enter") return;
      document.removeEventListener("keydown", onKey, { capture: true });
      resolve(performance.timeOrigin + performance.now());
    };
    document.addEventListener("keydown", onKey, { capture: true });
  });
}
