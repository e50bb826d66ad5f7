import { describe, expect, test } from "vitest";
import { gridKeyAction, PAGE_ROWS, type KeyLike } from "./keys";
import { clampSelection, extendTo, inRange, moveBy, rangeOf, single } from "./selection";

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe("selection", () => {
  test("moves stay inside the grid; shift extends from the anchor", () => {
    const s = single({ r: 2, c: 2 });
    expect(moveBy(s, 1, 0, 10, 5, false)).toEqual(single({ r: 3, c: 2 }));
    expect(moveBy(s, -5, 9, 10, 5, false)).toEqual(single({ r: 0, c: 4 }));
    const extended = moveBy(moveBy(s, 1, 1, 10, 5, true), 1, 0, 10, 5, true);
    expect(rangeOf(extended)).toEqual({ top: 2, left: 2, bottom: 4, right: 3 });
    expect(rangeOf(extendTo(s, { r: 0, c: 0 }))).toEqual({ top: 0, left: 0, bottom: 2, right: 2 });
    expect(inRange(rangeOf(extended), 4, 3)).toBe(true);
    expect(inRange(rangeOf(extended), 5, 3)).toBe(false);
  });

  test("a selection is kept inside a grid that shrank", () => {
    expect(clampSelection({ anchor: { r: 9, c: 1 }, focus: { r: 12, c: 8 } }, 4, 3)).toEqual({
      anchor: { r: 3, c: 1 },
      focus: { r: 3, c: 2 },
    });
  });
});

describe("grid keys", () => {
  test("arrows, pages, home and end move; shift extends", () => {
    expect(gridKeyAction(key("ArrowDown"))).toEqual({ kind: "move", dr: 1, dc: 0, extend: false });
    expect(gridKeyAction(key("ArrowLeft", { shiftKey: true }))).toEqual({
      kind: "move",
      dr: 0,
      dc: -1,
      extend: true,
    });
    expect(gridKeyAction(key("PageDown"))).toMatchObject({ dr: PAGE_ROWS });
    expect(gridKeyAction(key("Home", { ctrlKey: true }))).toMatchObject({
      kind: "move",
      dr: -1_000_000,
      dc: -1_000_000,
    });
  });

  test("typing starts an edit with the key; Enter and F2 edit the value; Delete clears", () => {
    expect(gridKeyAction(key("7"))).toEqual({ kind: "edit", initial: "7" });
    expect(gridKeyAction(key("a"))).toEqual({ kind: "edit", initial: "a" });
    expect(gridKeyAction(key("Enter"))).toEqual({ kind: "edit", initial: null });
    expect(gridKeyAction(key("F2"))).toEqual({ kind: "edit", initial: null });
    expect(gridKeyAction(key("Delete"))).toEqual({ kind: "clear" });
  });

  test("undo, redo, expand and history shortcuts; other chords do nothing", () => {
    expect(gridKeyAction(key("z", { ctrlKey: true }))).toEqual({ kind: "undo" });
    expect(gridKeyAction(key("Z", { ctrlKey: true, shiftKey: true }))).toEqual({ kind: "redo" });
    expect(gridKeyAction(key("y", { metaKey: true }))).toEqual({ kind: "redo" });
    expect(gridKeyAction(key("ArrowRight", { altKey: true }))).toEqual({ kind: "toggle", axis: "rows" });
    expect(gridKeyAction(key("ArrowDown", { altKey: true }))).toEqual({ kind: "toggle", axis: "columns" });
    expect(gridKeyAction(key("h", { altKey: true }))).toEqual({ kind: "history" });
    expect(gridKeyAction(key("c", { ctrlKey: true }))).toBeNull();
    expect(gridKeyAction(key("Tab"))).toBeNull();
  });
});
