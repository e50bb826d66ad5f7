import { describe, expect, test } from "vitest";
import type { GridAnswer, ViewSpec } from "../api/types";
import type { QueuedEdit } from "../edits/editQueue";
import { cellView, ownValues, type OwnValue } from "./cellView";
import { DEFAULT_FORMAT } from "./format";
import { cellKey, gridOf, positionKey } from "./gridModel";

const view: ViewSpec = {
  rows: [{ dimension: "Region", members: ["East", "West"] }],
  columns: [{ dimension: "Month", members: ["Jan"] }],
  context: {},
  suppress_empty: { rows: false, columns: false },
};
const answer: GridAnswer = {
  cube: "Sales",
  row_dimensions: ["Region"],
  column_dimensions: ["Month"],
  rows: [[{ name: "East", depth: 1, leaf: true }], [{ name: "West", depth: 1, leaf: true }]],
  columns: [[{ name: "Jan", depth: 1, leaf: true }]],
  values: [[10], [4]],
  access: ["W", "N"],
};
const g = gridOf(answer, 20, view, ["Region", "Month"]);
const pending = (value: number | null, state: QueuedEdit["state"] = "pending"): QueuedEdit => ({
  id: "x",
  user: "alice",
  cube: "Sales",
  cells: [{ members: ["East", "Jan"], value }],
  label: "",
  createdMs: 0,
  state,
});
const none = new Map<string, OwnValue>();

describe("cellView", () => {
  test("shows the server's value, masked cells as such", () => {
    expect(cellView(g, 0, 0, DEFAULT_FORMAT, none, new Set(), new Set())).toMatchObject({
      text: "10.00",
      own: null,
      access: "W",
    });
    expect(cellView(g, 1, 0, DEFAULT_FORMAT, none, new Set(), new Set())).toMatchObject({
      text: "•••",
      value: null,
      label: "no access",
    });
  });

  test("one's own unsent value wins over the grid's, with its state", () => {
    const own = ownValues([pending(99)], "Sales", new Map());
    expect(cellView(g, 0, 0, DEFAULT_FORMAT, own, new Set(), new Set())).toMatchObject({
      text: "99.00",
      own: "pending",
    });
    const conflict = ownValues([pending(null, "conflict")], "Sales", new Map());
    expect(cellView(g, 0, 0, DEFAULT_FORMAT, conflict, new Set(), new Set())).toMatchObject({
      text: "",
      own: "conflict",
      label: "empty",
    });
    expect(ownValues([pending(99)], "Other", new Map()).size).toBe(0);
  });

  test("a committed value shows until the grid includes its sequence", () => {
    const committed = new Map([
      [cellKey(["East", "Jan"]), { value: 55, state: "committed" as const, sequence: 21 }],
    ]);
    expect(cellView(g, 0, 0, DEFAULT_FORMAT, committed, new Set(), new Set()).text).toBe("55.00");
    const newer = { ...g, sequence: 21 };
    expect(cellView(newer, 0, 0, DEFAULT_FORMAT, committed, new Set(), new Set()).text).toBe("10.00");
  });

  test("highlights and holds", () => {
    const v = cellView(
      g,
      0,
      0,
      DEFAULT_FORMAT,
      none,
      new Set([positionKey("East", "Jan")]),
      new Set([cellKey(["East", "Jan"])]),
    );
    expect(v).toMatchObject({ highlighted: true, held: true });
  });
});
