import { describe, expect, test } from "vitest";
import type { ViewSpec } from "../api/types";
import { defaultView, moveDimension, normalizeView, placeOf, swapAxes, withAxisMembers } from "./viewSpec";

const roots: Record<string, string> = {
  Version: "Actual",
  Time: "All Time",
  Entity: "Total Company",
  Account: "Net Income",
};
const rootOf = (d: string) => roots[d];

const view: ViewSpec = {
  rows: [{ dimension: "Entity", members: ["children(Total Company)"] }],
  columns: [{ dimension: "Time", members: ["FY2025", "children(FY2025)"] }],
  context: { Version: "Budget", Account: "Revenue" },
  suppress_empty: { rows: true, columns: false },
};

describe("moveDimension", () => {
  test("a context dimension moves onto an axis with its context member", () => {
    const next = moveDimension(view, "Account", "rows", 0, rootOf);
    expect(next.rows.map((a) => a.dimension)).toEqual(["Account", "Entity"]);
    expect(next.rows[0].members).toEqual(["Revenue"]);
    expect(next.context).toEqual({ Version: "Budget" });
    expect(placeOf(next, "Account")).toBe("rows");
  });

  test("an axis dimension moves to the context keeping its first plain member", () => {
    const withAccount = moveDimension(view, "Account", "rows", undefined, rootOf);
    const twoColumns = moveDimension(withAccount, "Version", "columns", undefined, rootOf);
    const back = moveDimension(twoColumns, "Time", "context", undefined, rootOf);
    expect(back.context.Time).toBe("FY2025");
    expect(back.columns.map((a) => a.dimension)).toEqual(["Version"]);
    const fromFunction = moveDimension(withAccount, "Entity", "context", undefined, rootOf);
    expect(fromFunction.context.Entity).toBe("Total Company");
  });

  test("an axis is never left empty", () => {
    expect(moveDimension(view, "Time", "context", undefined, rootOf)).toBe(view);
    expect(moveDimension(view, "Entity", "columns", undefined, rootOf)).toBe(view);
  });

  test("moves between axes and within one", () => {
    const two = moveDimension(view, "Version", "columns", 0, rootOf);
    expect(two.columns.map((a) => a.dimension)).toEqual(["Version", "Time"]);
    const reordered = moveDimension(two, "Version", "columns", 1, rootOf);
    expect(reordered.columns.map((a) => a.dimension)).toEqual(["Time", "Version"]);
    const toRows = moveDimension(two, "Time", "rows", undefined, rootOf);
    expect(toRows.rows.map((a) => a.dimension)).toEqual(["Entity", "Time"]);
    expect(toRows.rows[1].members).toEqual(["FY2025", "children(FY2025)"]);
  });
});

test("swapAxes swaps the axes and their suppression", () => {
  const swapped = swapAxes(view);
  expect(swapped.rows).toBe(view.columns);
  expect(swapped.columns).toBe(view.rows);
  expect(swapped.suppress_empty).toEqual({ rows: false, columns: true });
});

test("withAxisMembers replaces one dimension's selection", () => {
  const next = withAxisMembers(view, "Time", ["FY2026"]);
  expect(next.columns[0].members).toEqual(["FY2026"]);
  expect(next.rows).toEqual(view.rows);
});

describe("normalizeView", () => {
  test("reads the server's shorthand and places every dimension", () => {
    const v = normalizeView(
      {
        cube: "Finance",
        rows: { dimension: "Entity", members: "children(Total Company)" },
        columns: [{ dimension: "Time", members: ["FY2025"] }],
        context: { Version: "Budget" },
        suppress_empty: true,
      },
      ["Version", "Time", "Entity", "Account"],
      rootOf,
    );
    expect(v).toEqual({
      rows: [{ dimension: "Entity", members: ["children(Total Company)"] }],
      columns: [{ dimension: "Time", members: ["FY2025"] }],
      context: { Version: "Budget", Account: "Net Income" },
      suppress_empty: { rows: true, columns: true },
    });
  });
});

test("defaultView puts time across, the hierarchy down and versions in the context", () => {
  const v = defaultView([
    { name: "Version", members: 3, max_level: 0, roots: ["Actual", "Budget"] },
    { name: "Time", members: 52, max_level: 3, roots: ["All Time"] },
    { name: "Entity", members: 246, max_level: 3, roots: ["Total Company"] },
    { name: "Account", members: 68, max_level: 4, roots: ["Net Income"] },
  ]);
  expect(v.columns).toEqual([{ dimension: "Time", members: ["children(All Time)"] }]);
  expect(v.rows).toEqual([{ dimension: "Entity", members: ["descendants(Total Company, 1)"] }]);
  expect(v.context).toEqual({ Version: "Actual", Account: "Net Income" });
});
