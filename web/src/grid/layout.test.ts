import { expect, test } from "vitest";
import type { ViewSpec } from "../api/types";
import { DEFAULT_FORMAT } from "./format";
import { gridOf } from "./gridModel";
import { CHAR_PX, COLUMN_PX_MAX, COLUMN_PX_MIN, columnWidths } from "./layout";

const view: ViewSpec = {
  rows: [{ dimension: "R", members: ["a"] }],
  columns: [{ dimension: "C", members: ["x"] }],
  context: {},
  suppress_empty: { rows: false, columns: false },
};

test("a column is as wide as its widest number or header, within bounds", () => {
  const g = gridOf(
    {
      cube: "S",
      row_dimensions: ["R"],
      column_dimensions: ["C"],
      rows: [[{ name: "a", depth: 0, leaf: true }], [{ name: "b", depth: 0, leaf: true }]],
      columns: [
        [{ name: "x", depth: 0, leaf: true }],
        [{ name: "y", depth: 0, leaf: true }],
        [{ name: "z", depth: 0, leaf: true }],
        [{ name: "a very long column header indeed, longer than any number", depth: 0, leaf: true }],
      ],
      values: [
        [1, -1234567.5, 1e30, null],
        [2, 10, null, null],
      ],
      access: ["WWWW", "WWWW"],
    },
    1,
    view,
    ["R", "C"],
  );
  const [small, negative, huge, long] = columnWidths(g, DEFAULT_FORMAT);
  expect(small).toBe(COLUMN_PX_MIN);
  expect(negative).toBe(Math.round("-1,234,567.50".length * CHAR_PX + 20));
  expect(huge).toBe(COLUMN_PX_MAX);
  expect(long).toBe(COLUMN_PX_MAX);
});
