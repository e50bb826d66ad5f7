// The actions above the grid. Each button names its keyboard shortcut.
import type { ViewSpec } from "../api/types";
import type { NumberFormat } from "../grid/format";
import { FormatMenu } from "./FormatMenu";
import { KeysHelp } from "./KeysHelp";

interface Props {
  view: ViewSpec;
  canUndo: boolean;
  canRedo: boolean;
  undoLabel: string | undefined;
  redoLabel: string | undefined;
  onUndo(): void;
  onRedo(): void;
  onSwap(): void;
  onSuppress(rows: boolean, columns: boolean): void;
  onHistory(): void;
  onSpread(): void;
  onHold(): void;
  onRelease(): void;
  onReleaseAll(): void;
  format: NumberFormat;
  onFormat(f: NumberFormat): void;
  showChart: boolean;
  onShowChart(show: boolean): void;
}

export function Toolbar(p: Props) {
  const suppress = p.view.suppress_empty;
  return (
    <div className="toolbar" role="toolbar" aria-label="Grid actions">
      <button
        type="button"
        onClick={p.onUndo}
        disabled={!p.canUndo}
        title={p.undoLabel ? `Undo ${p.undoLabel} (Ctrl+Z)` : "Undo (Ctrl+Z)"}
      >
        Undo
      </button>
      <button
        type="button"
        onClick={p.onRedo}
        disabled={!p.canRedo}
        title={p.redoLabel ? `Redo ${p.redoLabel} (Ctrl+Y)` : "Redo (Ctrl+Y)"}
      >
        Redo
      </button>
      <span className="separator" />
      <button type="button" onClick={p.onSwap}>
        Swap axes
      </button>
      <label>
        <input
          type="checkbox"
          checked={suppress.rows}
          onChange={(e) => p.onSuppress(e.target.checked, suppress.columns)}
        />
        Suppress empty rows
      </label>
      <label>
        <input
          type="checkbox"
          checked={suppress.columns}
          onChange={(e) => p.onSuppress(suppress.rows, e.target.checked)}
        />
        Suppress empty columns
      </label>
      <span className="separator" />
      <button type="button" onClick={p.onHistory} title="History of the active cell (Alt+H)">
        History
      </button>
      <button type="button" onClick={p.onSpread} title="Spread a value over the selected consolidated cells">
        Spread…
      </button>
      <button
        type="button"
        onClick={p.onHold}
        title="Hold the selected cells: spreading leaves them as they are"
      >
        Hold
      </button>
      <button type="button" onClick={p.onRelease}>
        Release
      </button>
      <button type="button" onClick={p.onReleaseAll}>
        Release all
      </button>
      <span className="separator" />
      <FormatMenu format={p.format} onChange={p.onFormat} />
      <KeysHelp />
      <label>
        <input type="checkbox" checked={p.showChart} onChange={(e) => p.onShowChart(e.target.checked)} />
        Charts
      </label>
    </div>
  );
}
