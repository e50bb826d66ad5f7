// Expanding and collapsing a member inline: the dimension's selection, as
// the server evaluated it, becomes an explicit list with `children(m)` put
// right after the member expanded, or with the members below the one
// collapsed taken out.
import type { HeaderMember } from "../api/types";

/** Where a header member stands in its dimension's evaluated selection; -1 when absent. */
export function indexOfMember(list: HeaderMember[], name: string, depth: number): number {
  const same = list.findIndex((m) => m.name === name && m.depth === depth);
  return same >= 0 ? same : list.findIndex((m) => m.name === name);
}

/** Whether the member at `i` is followed by members below it. */
export function isExpanded(list: HeaderMember[], i: number): boolean {
  return i + 1 < list.length && list[i + 1].depth > list[i].depth;
}

/** The selection terms after expanding or collapsing the member at `i`. */
export function toggleMember(list: HeaderMember[], i: number): string[] {
  const names = list.map((m) => m.name);
  if (isExpanded(list, i)) {
    let end = i + 1;
    while (end < list.length && list[end].depth > list[i].depth) end++;
    return [...names.slice(0, i + 1), ...names.slice(end)];
  }
  return [...names.slice(0, i + 1), `children(${list[i].name})`, ...names.slice(i + 1)];
}

/**
 * Whether each header of an axis position shows as expanded, judged from the
 * grid itself: the next distinct member of that dimension along the axis
 * lies deeper. `tuples` are the axis headers, `k` the dimension's position.
 */
export function expandedInGrid(tuples: HeaderMember[][], k: number): boolean[] {
  const out = new Array<boolean>(tuples.length).fill(false);
  for (let i = 0; i < tuples.length; i++) {
    const here = tuples[i][k];
    if (here.leaf) continue;
    for (let j = i + 1; j < tuples.length; j++) {
      const next = tuples[j][k];
      if (next.name === here.name && next.depth === here.depth) continue;
      out[i] = next.depth > here.depth && sameOuter(tuples[i], tuples[j], k);
      break;
    }
  }
  return out;
}

function sameOuter(a: HeaderMember[], b: HeaderMember[], k: number): boolean {
  for (let d = 0; d < k; d++) if (a[d].name !== b[d].name) return false;
  return true;
}
