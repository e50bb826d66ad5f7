import { expect, test } from "vitest";
import type { GridAnswer, ViewSpec } from "../api/types";
import { gridOf } from "../grid/gridModel";
import { rowSeries, SERIES_MAX, variance } from "./chartData";

const view: ViewSpec = {
  rows: [{ dimension: "Region", members: ["East", "West"] }],
  columns: [{ dimension: "Month", members: ["Jan", "Feb"] }],
  context: { Version: "Actual" },
  suppress_empty: { rows: false, columns: false },
};
const grid = (values: (number | null)[][], rows = ["East", "West"]) =>
  gridOf(
    {
      cube: "Sales",
      row_dimensions: ["Region"],
      column_dimensions: ["Month"],
      rows: rows.map((name) => [{ name, depth: 1, leaf: true }]),
      columns: [[{ name: "Jan", depth: 1, leaf: true }], [{ name: "Feb", depth: 1, leaf: true }]],
      values,
      access: rows.map(() => "WW"),
    } satisfies GridAnswer,
    1,
    view,
    ["Version", "Region", "Month"],
  );

test("rowSeries draws the selected rows over the columns", () => {
  expect(
    rowSeries(
      grid([
        [1, 2],
        [3, null],
      ]),
      [1],
    ),
  ).toEqual({
    categories: ["Jan", "Feb"],
    series: [{ name: "West", values: [3, null] }],
  });
  const many = grid(
    Array.from({ length: 20 }, () => [1, 1]),
    Array.from({ length: 20 }, (_, i) => `R${i}`),
  );
  expect(rowSeries(many, [...Array(20).keys()]).series).toHaveLength(SERIES_MAX);
});

test("variance is B minus A per row and column, matched by row whatever its position", () => {
  const actual = grid([
    [10, null],
    [5, 5],
  ]);
  const budget = grid(
    [
      [8, 4],
      [12, null],
    ],
    ["West", "East"],
  );
  expect(variance(actual, budget, ["East", "West"])).toEqual({
    categories: ["Jan", "Feb"],
    series: [
      { name: "East", values: [2, null] },
      { name: "West", values: [3, -1] },
    ],
  });
  expect(variance(actual, budget, ["Nowhere"]).series).toEqual([]);
});
