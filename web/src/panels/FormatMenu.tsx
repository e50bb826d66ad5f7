// The number format of the cube's grids: decimals, thousands separators,
// negatives in red or in parentheses.
import type { NumberFormat } from "../grid/format";

interface Props {
  format: NumberFormat;
  onChange(f: NumberFormat): void;
}

export function FormatMenu({ format, onChange }: Props) {
  return (
    <details className="menu">
      <summary>Number format</summary>
      <div className="menu-body" role="group" aria-label="Number format">
        <label>
          Decimals{" "}
          <select
            value={format.decimals}
            onChange={(e) => onChange({ ...format, decimals: Number(e.target.value) })}
          >
            {[0, 1, 2, 3, 4].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={format.thousands}
            onChange={(e) => onChange({ ...format, thousands: e.target.checked })}
          />
          Thousands separators
        </label>
        <label>
          <input
            type="checkbox"
            checked={format.negativeRed}
            onChange={(e) => onChange({ ...format, negativeRed: e.target.checked })}
          />
          Negatives in red
        </label>
        <label>
          <input
            type="checkbox"
            checked={format.negativeParens}
            onChange={(e) => onChange({ ...format, negativeParens: e.target.checked })}
          />
          Negatives in parentheses
        </label>
      </div>
    </details>
  );
}
