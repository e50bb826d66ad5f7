import { describe, expect, test } from "vitest";
import { MemoryStorage } from "../testing/memoryStorage";
import { DEFAULT_FORMAT, formatValue, loadFormat, storeFormat } from "./format";

describe("formatValue", () => {
  test("an empty cell is blank and differs from a zero", () => {
    expect(formatValue(null, DEFAULT_FORMAT)).toBe("");
    expect(formatValue(0, DEFAULT_FORMAT)).toBe("0.00");
  });

  test("decimals and thousands separators follow the format", () => {
    expect(formatValue(1234567.891, DEFAULT_FORMAT)).toBe("1,234,567.89");
    expect(formatValue(1234567.891, { ...DEFAULT_FORMAT, decimals: 0, thousands: false })).toBe("1234568");
    expect(formatValue(0.5, { ...DEFAULT_FORMAT, decimals: 3 })).toBe("0.500");
  });

  test("negatives take a sign or parentheses", () => {
    expect(formatValue(-1500, DEFAULT_FORMAT)).toBe("-1,500.00");
    expect(formatValue(-1500, { ...DEFAULT_FORMAT, negativeParens: true })).toBe("(1,500.00)");
  });

  test("a negative that rounds to zero shows no sign", () => {
    expect(formatValue(-0.001, DEFAULT_FORMAT)).toBe("0.00");
  });
});

describe("formats per cube", () => {
  test("are kept per cube, with defaults for what was never set", () => {
    const storage = new MemoryStorage();
    storeFormat(storage, "Sales", { ...DEFAULT_FORMAT, decimals: 0 });
    expect(loadFormat(storage, "Sales").decimals).toBe(0);
    expect(loadFormat(storage, "Finance")).toEqual(DEFAULT_FORMAT);
    storage.setItem("quantatom.format.Broken", "{not json");
    expect(loadFormat(storage, "Broken")).toEqual(DEFAULT_FORMAT);
  });
});
