// The view being built: which dimensions sit on rows, columns and in the
// context, and their selections. Pure functions returning new views.
import type { AxisSpec, ViewSpec } from "../api/types";

export type Place = "rows" | "columns" | "context";

export function placeOf(view: ViewSpec, dimension: string): Place {
  if (view.rows.some((a) => a.dimension === dimension)) return "rows";
  if (view.columns.some((a) => a.dimension === dimension)) return "columns";
  return "context";
}

/** The member a dimension stands for when it leaves an axis: its first plain member name. */
function firstMember(axis: AxisSpec, fallback: string): string {
  const plain = axis.members.find((t) => !/^\s*(children|descendants|leaves|level|members)\s*\(/.test(t));
  if (plain) return plain;
  const inner = /\(\s*([^,)]+)/.exec(axis.members[0] ?? "");
  return inner ? inner[1].trim() : fallback;
}

/**
 * Moves a dimension to `to` at `index` (the end when omitted). A dimension
 * moved off an axis keeps a member in the context; one moved onto an axis
 * starts with its context member. Refused (the same view back) when it would
 * leave rows or columns empty.
 */
export function moveDimension(
  view: ViewSpec,
  dimension: string,
  to: Place,
  index: number | undefined,
  rootOf: (dimension: string) => string,
): ViewSpec {
  const from = placeOf(view, dimension);
  if (from !== "context" && from !== to && view[from].length === 1) return view;
  const old = from === "context" ? undefined : view[from].find((a) => a.dimension === dimension);
  let context = { ...view.context };
  let rows = view.rows.filter((a) => a.dimension !== dimension);
  let columns = view.columns.filter((a) => a.dimension !== dimension);
  if (to === "context") {
    context[dimension] = old
      ? firstMember(old, rootOf(dimension))
      : (context[dimension] ?? rootOf(dimension));
  } else {
    const axis: AxisSpec = old ?? { dimension, members: [context[dimension] ?? rootOf(dimension)] };
    context = Object.fromEntries(Object.entries(context).filter(([d]) => d !== dimension));
    const target = to === "rows" ? rows : columns;
    const at = index === undefined ? target.length : Math.max(0, Math.min(index, target.length));
    const placed = [...target.slice(0, at), axis, ...target.slice(at)];
    if (to === "rows") rows = placed;
    else columns = placed;
  }
  if (rows.length === 0 || columns.length === 0) return view;
  return { ...view, rows, columns, context };
}

export function swapAxes(view: ViewSpec): ViewSpec {
  return {
    ...view,
    rows: view.columns,
    columns: view.rows,
    suppress_empty: { rows: view.suppress_empty.columns, columns: view.suppress_empty.rows },
  };
}

export function withSuppressEmpty(view: ViewSpec, rows: boolean, columns: boolean): ViewSpec {
  return { ...view, suppress_empty: { rows, columns } };
}

export function withAxisMembers(view: ViewSpec, dimension: string, members: string[]): ViewSpec {
  const set = (axes: AxisSpec[]) => axes.map((a) => (a.dimension === dimension ? { dimension, members } : a));
  return { ...view, rows: set(view.rows), columns: set(view.columns) };
}

export function withContextMember(view: ViewSpec, dimension: string, member: string): ViewSpec {
  return { ...view, context: { ...view.context, [dimension]: member } };
}

/**
 * A view as the server or an older copy may write it (docs/view.md: an axis
 * as an object or an array, members as a string or an array, suppression as
 * a boolean or per axis), in this app's shape, with every dimension of the
 * cube placed (context members default to the dimension's first root).
 */
export function normalizeView(
  raw: unknown,
  dimensions: string[],
  rootOf: (dimension: string) => string,
): ViewSpec {
  const v = (raw ?? {}) as Record<string, unknown>;
  const axis = (a: unknown): AxisSpec[] =>
    (Array.isArray(a) ? a : a ? [a] : []).map((x) => {
      const o = x as { dimension: string; members: string | string[] };
      return { dimension: o.dimension, members: Array.isArray(o.members) ? o.members : [o.members] };
    });
  const rows = axis(v.rows);
  const columns = axis(v.columns);
  const suppress = v.suppress_empty as boolean | { rows?: boolean; columns?: boolean } | undefined;
  const given = (v.context ?? {}) as Record<string, string>;
  const context: Record<string, string> = {};
  for (const d of dimensions) {
    if (rows.some((a) => a.dimension === d) || columns.some((a) => a.dimension === d)) continue;
    context[d] = given[d] ?? rootOf(d);
  }
  return {
    rows,
    columns,
    context,
    suppress_empty:
      typeof suppress === "boolean"
        ? { rows: suppress, columns: suppress }
        : { rows: suppress?.rows ?? false, columns: suppress?.columns ?? false },
  };
}

/** What a new view of a cube shows: time across, the largest hierarchy down, the rest in context. */
export function defaultView(
  dimensions: { name: string; members: number; max_level: number; roots: string[] }[],
): ViewSpec {
  const root = (d: { roots: string[] }) => (d.roots.length > 0 ? d.roots[0] : "");
  const time =
    dimensions.find((d) => /time|period|month/i.test(d.name)) ??
    dimensions[Math.min(1, dimensions.length - 1)];
  const candidates = dimensions.filter((d) => d !== time && !/version|scenario/i.test(d.name));
  const down =
    candidates.find((d) => d.max_level > 0 && d.roots.length === 1) ??
    (candidates.length > 0 ? candidates[0] : (dimensions.find((d) => d !== time) ?? time));
  const context: Record<string, string> = {};
  for (const d of dimensions) if (d !== time && d !== down) context[d.name] = root(d);
  return {
    rows: [{ dimension: down.name, members: [`descendants(${root(down)}, 1)`] }],
    columns: [{ dimension: time.name, members: [`children(${root(time)})`] }],
    context,
    suppress_empty: { rows: false, columns: false },
  };
}
