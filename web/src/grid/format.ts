// Number formats per cube: decimals, thousands separators, negatives in red
// (a style, applied by the grid) or in parentheses.

export interface NumberFormat {
  decimals: number;
  thousands: boolean;
  negativeRed: boolean;
  negativeParens: boolean;
}

export const DEFAULT_FORMAT: NumberFormat = {
  decimals: 2,
  thousands: true,
  negativeRed: true,
  negativeParens: false,
};

const formatters = new Map<string, Intl.NumberFormat>();

function formatterOf(f: NumberFormat): Intl.NumberFormat {
  const key = `${f.decimals}|${f.thousands}`;
  let out = formatters.get(key);
  if (!out) {
    out = new Intl.NumberFormat("en-US", {
      minimumFractionDigits: f.decimals,
      maximumFractionDigits: f.decimals,
      useGrouping: f.thousands,
    });
    formatters.set(key, out);
  }
  return out;
}

/** The text of a cell: "" for an empty cell (no value), which differs from a zero. */
export function formatValue(value: number | null, f: NumberFormat): string {
  if (value === null) return "";
  const text = formatterOf(f).format(Math.abs(value));
  const negative = value < 0 && text.replace(/[0.,]/g, "") !== "";
  if (!negative) return text;
  return f.negativeParens ? `(${text})` : `-${text}`;
}

const KEY = "quantatom.format.";

export function loadFormat(storage: Storage, cube: string): NumberFormat {
  try {
    const saved = JSON.parse(storage.getItem(KEY + cube) ?? "null") as Partial<NumberFormat> | null;
    return { ...DEFAULT_FORMAT, ...(saved ?? {}) };
  } catch {
    return DEFAULT_FORMAT;
  }
}

export function storeFormat(storage: Storage, cube: string, f: NumberFormat): void {
  storage.setItem(KEY + cube, JSON.stringify(f));
}
