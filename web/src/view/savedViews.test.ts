import { expect, test } from "vitest";
import type { ViewSpec } from "../api/types";
import { MemoryStorage } from "../testing/memoryStorage";
import { BrowserSavedViews } from "./savedViews";

const view = (member: string): ViewSpec => ({
  rows: [{ dimension: "Region", members: [member] }],
  columns: [{ dimension: "Month", members: ["Jan"] }],
  context: {},
  suppress_empty: { rows: false, columns: false },
});

test("views saved in the browser are listed by name per cube, replaced and removed", async () => {
  const store = new BrowserSavedViews(new MemoryStorage());
  await store.save("Sales", "west", view("West"));
  await store.save("Sales", "east", view("East"));
  await store.save("Sales", "west", view("World"));
  await store.save("Other", "x", view("X"));
  expect(await store.list("Sales")).toEqual([
    { name: "east", view: view("East") },
    { name: "west", view: view("World") },
  ]);
  await store.remove("Sales", "east");
  expect((await store.list("Sales")).map((v) => v.name)).toEqual(["west"]);
  expect((await store.list("Other")).map((v) => v.name)).toEqual(["x"]);
});
