import { describe, expect, test } from "vitest";
import { parseEntry, parseNumber, parseTsv, pastedNumbers } from "./parseInput";

describe("parseNumber", () => {
  test.each([
    ["1234.5", 1234.5],
    [" 1,234.5 ", 1234.5],
    ["-12", -12],
    ["+7", 7],
    ["(12.5)", -12.5],
    ["12%", 0.12],
    ["1e6", 1e6],
    [".5", 0.5],
    ["1,000,000", 1e6],
  ])("reads %j as %d", (text, value) => {
    const parsed = parseNumber(text);
    expect(parsed.ok && parsed.value).toBeCloseTo(value, 12);
  });

  test.each(["abc", "12x", "1,23", "--1", "", "-", "1.2.3", "12,3456", "1e999"])(
    "refuses %j with a reason",
    (text) => {
      const parsed = parseNumber(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(/not a number|too large/);
    },
  );
});

describe("parseEntry", () => {
  test("an empty entry clears the cell", () => {
    expect(parseEntry("  ")).toEqual({ ok: true, value: null });
  });
});

describe("parseTsv", () => {
  test("reads Excel's tab-separated rows with CRLF and a trailing line break", () => {
    expect(parseTsv("1\t2\t3\r\n4\t5\t6\r\n")).toEqual([
      ["1", "2", "3"],
      ["4", "5", "6"],
    ]);
  });

  test("keeps blank cells and reads quoted cells holding tabs, quotes and line breaks", () => {
    expect(parseTsv('1\t\t3\n"a\tb"\t"say ""hi"""\t"x\ny"')).toEqual([
      ["1", "", "3"],
      ["a\tb", 'say "hi"', "x\ny"],
    ]);
  });

  test("an empty text is no rows", () => {
    expect(parseTsv("")).toEqual([]);
  });
});

describe("pastedNumbers", () => {
  test("places numbers from the top-left cell and leaves blanks out", () => {
    const parsed = pastedNumbers(
      [
        ["1", ""],
        ["(2)", "3%"],
      ],
      5,
      7,
    );
    expect(parsed).toEqual({
      ok: true,
      cells: [
        { row: 5, column: 7, value: 1 },
        { row: 6, column: 7, value: -2 },
        { row: 6, column: 8, value: 0.03 },
      ],
    });
  });

  test("names the first bad cell of the block", () => {
    const parsed = pastedNumbers(
      [
        ["1", "2"],
        ["3", "n/a"],
      ],
      0,
      0,
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toBe('row 2, column 2 of the pasted block: "n/a" is not a number');
  });
});
