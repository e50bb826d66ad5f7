import { expect, test } from "vitest";
import { committed, EMPTY_STACKS, redone, undone } from "./undoStack";

test("undo undoes the newest, redo undoes that undo, a new edit ends the redo history", () => {
  let s = committed(EMPTY_STACKS, { sequence: 8, label: "a" });
  s = committed(s, { sequence: 9, label: "b" });
  s = undone(s, 10);
  expect(s).toEqual({ undo: [{ sequence: 8, label: "a" }], redo: [{ sequence: 10, label: "b" }] });
  s = redone(s, 11);
  expect(s).toEqual({
    undo: [
      { sequence: 8, label: "a" },
      { sequence: 11, label: "b" },
    ],
    redo: [],
  });
  s = undone(s, 12);
  s = committed(s, { sequence: 13, label: "c" });
  expect(s.redo).toEqual([]);
  expect(s.undo.map((e) => e.sequence)).toEqual([8, 13]);
});

test("the undo history is bounded", () => {
  let s = EMPTY_STACKS;
  for (let i = 1; i <= 150; i++) s = committed(s, { sequence: i, label: String(i) });
  expect(s.undo).toHaveLength(100);
  expect(s.undo[0].sequence).toBe(51);
});
