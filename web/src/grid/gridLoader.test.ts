import { expect, test } from "vitest";
import type { ApiClient, Grid } from "../api/client";
import type { ViewSpec } from "../api/types";
import { GridLoader } from "./gridLoader";
import { positionKey } from "./gridModel";

const view = (member: string): ViewSpec => ({
  rows: [{ dimension: "Region", members: [member] }],
  columns: [{ dimension: "Month", members: ["Jan"] }],
  context: {},
  suppress_empty: { rows: false, columns: false },
});

/** A client whose grid answers wait until released, in the order asked. */
function client() {
  const asked: { view: ViewSpec; answer: (value: number, sequence: number) => void }[] = [];
  const fake = {
    grid: (_cube: string, v: ViewSpec) =>
      new Promise<Grid>((resolve) => {
        asked.push({
          view: v,
          answer: (value, sequence) =>
            resolve({
              sequence,
              answer: {
                cube: "Sales",
                row_dimensions: ["Region"],
                column_dimensions: ["Month"],
                rows: [[{ name: v.rows[0].members[0], depth: 0, leaf: true }]],
                columns: [[{ name: "Jan", depth: 0, leaf: true }]],
                values: [[value]],
                access: ["W"],
              },
            }),
        });
      }),
  };
  return { asked, api: fake as unknown as ApiClient };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

test("refreshes while a request is in flight become one more request after it", async () => {
  const { asked, api } = client();
  const loader = new GridLoader(api);
  loader.show("Sales", view("East"), ["Region", "Month"]);
  loader.refresh(true);
  loader.refresh(false);
  expect(asked).toHaveLength(1);
  asked[0].answer(1, 10);
  await flush();
  expect(asked).toHaveLength(2);
  asked[1].answer(2, 11);
  await flush();
  expect(asked).toHaveLength(2);
  const s = loader.snapshot();
  expect(s.grid?.sequence).toBe(11);
  expect(s.loading).toBe(false);
  // The queued refresh asked for highlights: the changed cell is marked.
  expect([...s.highlights]).toEqual([positionKey("East", "Jan")]);
});

test("an answer for a view no longer shown is dropped", async () => {
  const { asked, api } = client();
  const loader = new GridLoader(api);
  const seen: number[] = [];
  loader.onLoaded((g) => seen.push(g.sequence));
  loader.show("Sales", view("East"), ["Region", "Month"]);
  loader.show("Sales", view("West"), ["Region", "Month"]);
  asked[1].answer(5, 21);
  await flush();
  asked[0].answer(4, 20);
  await flush();
  expect(seen).toEqual([21]);
  expect(loader.snapshot().grid?.rows[0][0].name).toBe("West");
  expect(loader.snapshot().highlights.size).toBe(0);
});
