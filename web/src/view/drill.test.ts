import { describe, expect, test } from "vitest";
import type { HeaderMember } from "../api/types";
import { expandedInGrid, indexOfMember, isExpanded, toggleMember } from "./drill";

const m = (name: string, depth: number, leaf = false): HeaderMember => ({ name, depth, leaf });
const list = [m("World", 0), m("Americas", 1), m("US", 2), m("Boston", 3, true), m("Europe", 1)];

describe("toggleMember", () => {
  test("expanding puts the member's children right after it", () => {
    expect(isExpanded(list, 4)).toBe(false);
    expect(toggleMember(list, 4)).toEqual([
      "World",
      "Americas",
      "US",
      "Boston",
      "Europe",
      "children(Europe)",
    ]);
    expect(toggleMember([m("Europe", 1), m("World", 0)], 1)).toEqual(["Europe", "World", "children(World)"]);
  });

  test("collapsing takes out everything below the member, however deep", () => {
    expect(isExpanded(list, 1)).toBe(true);
    expect(toggleMember(list, 1)).toEqual(["World", "Americas", "Europe"]);
    expect(toggleMember(list, 0)).toEqual(["World"]);
  });
});

test("indexOfMember prefers the same depth, else the first of that name", () => {
  const shared = [m("Total", 0), m("Laptops", 1), m("X1", 2, true), m("Strategic", 0), m("X1", 1, true)];
  expect(indexOfMember(shared, "X1", 1)).toBe(4);
  expect(indexOfMember(shared, "X1", 7)).toBe(2);
  expect(indexOfMember(shared, "Nope", 0)).toBe(-1);
});

test("expandedInGrid reads expansion along nested axes per outer member", () => {
  const rows = [
    [m("World", 0), m("Q1", 0)],
    [m("World", 0), m("Jan", 1, true)],
    [m("Europe", 1), m("Q1", 0)],
    [m("Europe", 1), m("Jan", 1, true)],
  ];
  expect(expandedInGrid(rows, 0)).toEqual([true, true, false, false]);
  expect(expandedInGrid(rows, 1)).toEqual([true, false, true, false]);
});
