import { describe, expect, test } from "vitest";
import type { GridAnswer, ViewSpec } from "../api/types";
import { accessAt, axisLeaf, cellMembers, changedCells, findCell, gridOf, positionKey } from "./gridModel";

const view: ViewSpec = {
  rows: [{ dimension: "Entity", members: ["US", "children(US)"] }],
  columns: [{ dimension: "Time", members: ["Jan", "Q1"] }],
  context: { Version: "Budget" },
  suppress_empty: { rows: false, columns: false },
};
const answer = (values: (number | null)[][]): GridAnswer => ({
  cube: "Sales",
  row_dimensions: ["Entity"],
  column_dimensions: ["Time"],
  rows: [[{ name: "US", depth: 0, leaf: false }], [{ name: "Boston", depth: 1, leaf: true }]],
  columns: [[{ name: "Jan", depth: 1, leaf: true }], [{ name: "Q1", depth: 0, leaf: false }]],
  values,
  access: ["RR", "WR"],
});
const dims = ["Version", "Time", "Entity"];

describe("gridModel", () => {
  const g = gridOf(
    answer([
      [5, 9],
      [5, null],
    ]),
    12,
    view,
    dims,
  );

  test("a cell's members come in cube order from rows, columns and context", () => {
    expect(cellMembers(g, 1, 0)).toEqual(["Budget", "Jan", "Boston"]);
    expect(findCell(g, ["Budget", "Jan", "Boston"])).toEqual({ r: 1, c: 0 });
    expect(findCell(g, ["Actual", "Jan", "Boston"])).toBeNull();
    expect(findCell(g, ["Budget", "Feb", "Boston"])).toBeNull();
  });

  test("access and leaves", () => {
    expect(accessAt(g, 1, 0)).toBe("W");
    expect(accessAt(g, 0, 1)).toBe("R");
    expect(accessAt(g, 5, 5)).toBe("N");
    expect(axisLeaf(g, 1, 0)).toBe(true);
    expect(axisLeaf(g, 1, 1)).toBe(false);
  });

  test("changedCells names the cells whose value changed, by row and column, wherever they moved", () => {
    const after = gridOf(
      answer([
        [7, 9],
        [7, 3],
      ]),
      13,
      view,
      dims,
    );
    expect([...changedCells(g, after)].sort()).toEqual(
      [positionKey("Boston", "Jan"), positionKey("Boston", "Q1"), positionKey("US", "Jan")].sort(),
    );
    const reordered = {
      ...after,
      rows: [...after.rows].reverse(),
      rowKeys: [...after.rowKeys].reverse(),
      values: [
        [7, 3],
        [7, 9],
      ],
    };
    expect(changedCells(g, reordered).size).toBe(3);
  });
});
