import { expect, test } from "vitest";
import { MemoryStorage } from "../testing/memoryStorage";
import { csvLine } from "./client";
import { loadSession, sessionOf, storeSession } from "./session";

test("a session is kept without the password and dropped once expired", () => {
  const storage = new MemoryStorage();
  const s = sessionOf({ token: "qs.abc", expires_s: 1000, user: "alice", admin: false });
  storeSession(storage, s);
  expect(storage.getItem("quantatom.session")).not.toContain("password");
  expect(loadSession(storage, 999)).toEqual(s);
  expect(loadSession(storage, 1000)).toBeNull();
  storeSession(storage, null);
  expect(loadSession(storage, 0)).toBeNull();
  storage.setItem("quantatom.session", "{garbage");
  expect(loadSession(storage, 0)).toBeNull();
});

test("csvLine quotes names holding commas or quotes, as the history endpoint reads them", () => {
  expect(csvLine(["Budget", "Acme, Inc.", 'The "Big" One', "Jan"])).toBe(
    'Budget,"Acme, Inc.","The ""Big"" One",Jan',
  );
});
