import { afterEach, expect, test, vi } from "vitest";
import { ApiClient, ApiError } from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
});

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

test("edits merge from their grid's sequence, refusing conflicts", async () => {
  const fetch = vi
    .fn()
    .mockResolvedValue(
      answer(200, { sequence: 12, refused: false, cells_applied: 2, conflicts: [], last_sequence: 12 }),
    );
  vi.stubGlobal("fetch", fetch);
  const done = await new ApiClient("qs.t").syncCells(
    "Sales",
    9,
    [{ members: ["East", "Jan"], value: 5 }],
    "web-1",
  );
  expect(done).toEqual({ sequence: 12, atoms_changed: 2, replayed: false });
  const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
  expect(url).toBe("/api/cubes/Sales/sync");
  expect(JSON.parse(init.body as string)).toEqual({
    base_sequence: 9,
    policy: "refuse",
    cells: [{ members: ["East", "Jan"], value: 5 }],
    client_txn_id: "web-1",
  });
});

test("a merge's conflicts read as a cell write's: the server's value, sequence and user", async () => {
  const conflict = {
    cell: ["East", "Jan"],
    base: 1,
    mine: 5,
    theirs: 7,
    result: null,
    sequence: 11,
    user: "bob",
  };
  vi.stubGlobal(
    "fetch",
    vi.fn().mockResolvedValue(
      answer(409, {
        error: { code: "CONFLICT", message: "changed", conflicts: [conflict], last_sequence: 11 },
      }),
    ),
  );
  const sent = new ApiClient("qs.t").syncCells("Sales", 9, [{ members: ["East", "Jan"], value: 5 }], "web-2");
  const error = await sent.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe("CONFLICT");
  expect((error as ApiError).details.last_sequence).toBe(11);
  expect((error as ApiError).details.conflicts).toEqual([
    { cell: ["East", "Jan"], sequence: 11, user: "bob", value: 7 },
  ]);
});
