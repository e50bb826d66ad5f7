// What a planner types or pastes, read as numbers: "1,234.5", "-12",
// "(12)" (negative), "12%" (0.12), "1e6"; surrounding spaces ignored.

export type Parsed = { ok: true; value: number } | { ok: false; message: string };

const NUMBER = /^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$/;

export function parseNumber(text: string): Parsed {
  let t = text.trim();
  let sign = 1;
  if (/^\(.*\)$/.test(t)) {
    sign = -1;
    t = t.slice(1, -1).trim();
  }
  let scale = 1;
  if (t.endsWith("%")) {
    scale = 0.01;
    t = t.slice(0, -1).trim();
  }
  if (t === "" || t === "+" || t === "-" || !NUMBER.test(t) || !/\d/.test(t)) {
    return { ok: false, message: `"${text.trim()}" is not a number` };
  }
  const value = Number(t.replaceAll(",", "")) * sign * scale;
  if (!Number.isFinite(value)) return { ok: false, message: `"${text.trim()}" is too large` };
  return { ok: true, value };
}

/** What the cell editor's text means: a number, an empty cell (clear it), or an error. */
export function parseEntry(
  text: string,
): { ok: true; value: number | null } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, value: null };
  return parseNumber(text);
}

/**
 * A block copied from Excel or another grid: rows on lines, cells separated
 * by tabs (a trailing line break ignored). Cells may be quoted as Excel does
 * for text holding tabs or line breaks.
 */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === "\t") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

export interface PasteCell {
  row: number;
  column: number;
  value: number;
}

/**
 * The numbers of a pasted block placed from (top, left), or the first bad
 * cell. Blank cells are left as they are.
 */
export function pastedNumbers(
  block: string[][],
  top: number,
  left: number,
): { ok: true; cells: PasteCell[] } | { ok: false; message: string } {
  const cells: PasteCell[] = [];
  for (let r = 0; r < block.length; r++) {
    for (let c = 0; c < block[r].length; c++) {
      const text = block[r][c];
      if (text.trim() === "") continue;
      const parsed = parseNumber(text);
      if (!parsed.ok) {
        return { ok: false, message: `row ${r + 1}, column ${c + 1} of the pasted block: ${parsed.message}` };
      }
      cells.push({ row: top + r, column: left + c, value: parsed.value });
    }
  }
  return { ok: true, cells };
}
