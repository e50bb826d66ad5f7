// The grid: a DOM grid (role="grid") virtualized in both directions with
// TanStack Virtual, frozen column and row headers, hierarchy indentation and
// inline expand/collapse, a cell editor, and spreadsheet keys.
import { useVirtualizer, type VirtualItem } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useMemo, useRef, type KeyboardEvent, type ReactNode } from "react";
import type { HeaderMember } from "../api/types";
import { expandedInGrid } from "../view/drill";
import { CellEditor, type EditState } from "./CellEditor";
import { cellView, type OwnValue } from "./cellView";
import type { NumberFormat } from "./format";
import { rowLabel, columnLabel, type GridData } from "./gridModel";
import { COLUMN_PX_MIN, columnWidths, rowHeaderWidths } from "./layout";
import { gridKeyAction, type GridKeyAction } from "./keys";
import { inRange, rangeOf, single, type Range, type Selection } from "./selection";

const ROW_HEIGHT = 26;
const INDENT = 14;

export interface GridActions {
  select(s: Selection): void;
  key(action: GridKeyAction): void;
  editText(text: string): void;
  commitEdit(move: [number, number]): void;
  cancelEdit(): void;
  toggle(axis: "rows" | "columns", index: number, k: number): void;
  paste(text: string): void;
  copy(): string;
}

export interface PivotGridProps {
  grid: GridData;
  format: NumberFormat;
  own: ReadonlyMap<string, OwnValue>;
  highlights: ReadonlySet<string>;
  held: ReadonlySet<string>;
  selection: Selection;
  editing: EditState | null;
  actions: GridActions;
  /** Bumped to move the keyboard focus into the grid. */
  focusToken: number;
}

export function PivotGrid(props: PivotGridProps) {
  const { grid, selection, editing, actions } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const headerRows = grid.columnDimensions.length;
  const headerHeight = headerRows * ROW_HEIGHT;
  const widths = useMemo(() => rowHeaderWidths(grid), [grid]);
  const cellWidths = useMemo(() => columnWidths(grid, props.format), [grid, props.format]);
  const rowHeaderWidth = widths.reduce((a, b) => a + b, 0);
  const rowExpanded = useMemo(() => grid.rowDimensions.map((_, k) => expandedInGrid(grid.rows, k)), [grid]);
  const columnExpanded = useMemo(
    () => grid.columnDimensions.map((_, k) => expandedInGrid(grid.columns, k)),
    [grid],
  );

  const rows = useVirtualizer({
    count: grid.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    paddingStart: headerHeight,
    scrollPaddingStart: headerHeight,
  });
  const columns = useVirtualizer({
    horizontal: true,
    count: grid.columns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (c) => cellWidths[c] ?? COLUMN_PX_MIN,
    overscan: 4,
    paddingStart: rowHeaderWidth,
    scrollPaddingStart: rowHeaderWidth,
  });

  useEffect(() => {
    columns.measure();
  }, [columns, cellWidths]);

  const focus = selection.focus;
  useEffect(() => {
    if (focus.r < grid.rows.length) rows.scrollToIndex(focus.r);
    if (focus.c < grid.columns.length) columns.scrollToIndex(focus.c);
  }, [focus.r, focus.c, rows, columns, grid.rows.length, grid.columns.length]);

  // Focus on the first grid, and when asked again (after an edit or a dialog).
  useEffect(() => {
    scrollRef.current?.focus({ preventScroll: true });
  }, [props.focusToken]);

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      if (e.target !== e.currentTarget) return;
      const action = gridKeyAction(e);
      if (!action) return;
      e.preventDefault();
      actions.key(action);
    },
    [actions],
  );

  const range = rangeOf(selection);
  const virtualColumns = columns.getVirtualItems();
  const totalWidth = columns.getTotalSize();
  const activeId = `cell-${focus.r}-${focus.c}`;

  return (
    <div
      ref={scrollRef}
      className="grid"
      role="grid"
      aria-label={`${grid.cube}: ${grid.rowDimensions.join(", ")} by ${grid.columnDimensions.join(", ")}`}
      aria-rowcount={grid.rows.length + headerRows}
      aria-colcount={grid.columns.length + grid.rowDimensions.length}
      aria-multiselectable="true"
      aria-activedescendant={editing ? undefined : activeId}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onPaste={(e) => {
        if (editing) return;
        e.preventDefault();
        actions.paste(e.clipboardData.getData("text/plain"));
      }}
      onCopy={(e) => {
        if (editing) return;
        e.preventDefault();
        e.clipboardData.setData("text/plain", actions.copy());
      }}
    >
      <div style={{ height: rows.getTotalSize(), width: totalWidth, position: "relative" }}>
        <div className="column-headers" role="rowgroup" style={{ height: headerHeight, width: totalWidth }}>
          {grid.columnDimensions.map((dimension, k) => (
            <div
              key={dimension}
              role="row"
              aria-rowindex={k + 1}
              className="header-row"
              style={{ top: k * ROW_HEIGHT, width: totalWidth }}
            >
              <div className="corner" style={{ width: rowHeaderWidth }}>
                {k === headerRows - 1
                  ? grid.rowDimensions.map((d, i) => (
                      <span key={d} role="columnheader" aria-colindex={i + 1} style={{ width: widths[i] }}>
                        {d}
                      </span>
                    ))
                  : null}
              </div>
              {virtualColumns.map((vc) => (
                <HeaderCell
                  key={vc.index}
                  role="columnheader"
                  member={grid.columns[vc.index][k]}
                  repeated={repeats(grid.columns, vc.index, k)}
                  expanded={columnExpanded[k][vc.index]}
                  style={{ left: vc.start, width: vc.size }}
                  colIndex={grid.rowDimensions.length + vc.index + 1}
                  onToggle={() => actions.toggle("columns", vc.index, k)}
                />
              ))}
            </div>
          ))}
        </div>
        <div role="rowgroup">
          {rows.getVirtualItems().map((vr) => (
            <GridRow
              key={vr.index}
              r={vr.index}
              top={vr.start}
              headerRows={headerRows}
              totalWidth={totalWidth}
              grid={grid}
              widths={widths}
              rowHeaderWidth={rowHeaderWidth}
              expanded={rowExpanded}
              virtualColumns={virtualColumns}
              format={props.format}
              own={props.own}
              highlights={props.highlights}
              held={props.held}
              selected={vr.index >= range.top && vr.index <= range.bottom ? range : null}
              focusColumn={vr.index === focus.r ? focus.c : -1}
              editing={editing && editing.cell.r === vr.index ? editing : null}
              actions={actions}
            />
          ))}
        </div>
      </div>
    </div>
  );
}

function repeats(tuples: HeaderMember[][], i: number, k: number): boolean {
  if (i === 0 || k === tuples[i].length - 1) return false;
  for (let d = 0; d <= k; d++) if (tuples[i - 1][d].name !== tuples[i][d].name) return false;
  return true;
}

interface HeaderCellProps {
  /** Row headers are indented by depth; column headers are not. */
  role: "columnheader" | "rowheader";
  member: HeaderMember;
  repeated: boolean;
  expanded: boolean;
  style: React.CSSProperties;
  colIndex: number;
  onToggle: () => void;
}

function HeaderCell({ role, member, repeated, expanded, style, colIndex, onToggle }: HeaderCellProps) {
  const toggle: ReactNode = member.leaf ? (
    role === "rowheader" ? (
      <span className="toggle-space" />
    ) : null
  ) : (
    <button
      type="button"
      className="toggle"
      tabIndex={-1}
      aria-label={`${expanded ? "Collapse" : "Expand"} ${member.name}`}
      aria-expanded={expanded}
      onMouseDown={(e) => e.preventDefault()}
      onClick={onToggle}
    >
      {expanded ? "▾" : "▸"}
    </button>
  );
  return (
    <div
      role={role}
      aria-colindex={colIndex}
      className={`header ${member.leaf ? "leaf" : "consolidated"} ${repeated ? "repeated" : ""}`}
      style={style}
      title={member.name}
    >
      {role === "rowheader" ? <span style={{ paddingLeft: member.depth * INDENT }} /> : null}
      {toggle}
      <span className="name">{member.name}</span>
    </div>
  );
}

interface GridRowProps {
  r: number;
  top: number;
  headerRows: number;
  totalWidth: number;
  grid: GridData;
  widths: number[];
  rowHeaderWidth: number;
  expanded: boolean[][];
  virtualColumns: VirtualItem[];
  format: NumberFormat;
  own: ReadonlyMap<string, OwnValue>;
  highlights: ReadonlySet<string>;
  held: ReadonlySet<string>;
  selected: Range | null;
  focusColumn: number;
  editing: EditState | null;
  actions: GridActions;
}

const GridRow = memo(function GridRow(p: GridRowProps) {
  const { grid, r, actions } = p;
  const tuple = grid.rows[r];
  const consolidatedRow = tuple.some((m) => !m.leaf);
  return (
    <div
      role="row"
      aria-rowindex={p.headerRows + r + 1}
      className={`grid-row ${consolidatedRow ? "consolidated" : "leaf"}`}
      data-row={r}
      style={{ top: p.top, width: p.totalWidth }}
    >
      <div className="row-headers" style={{ width: p.rowHeaderWidth }}>
        {tuple.map((m, k) => (
          <HeaderCell
            key={k}
            role="rowheader"
            member={m}
            repeated={repeats(grid.rows, r, k)}
            expanded={p.expanded[k][r]}
            style={{ width: p.widths[k] }}
            colIndex={k + 1}
            onToggle={() => actions.toggle("rows", r, k)}
          />
        ))}
      </div>
      {p.virtualColumns.map((vc) => {
        const c = vc.index;
        const view = cellView(grid, r, c, p.format, p.own, p.highlights, p.held);
        const selected = p.selected !== null && inRange(p.selected, r, c);
        const active = p.focusColumn === c;
        const editing = p.editing !== null && p.editing.cell.c === c;
        const classes = [
          "cell",
          `access-${view.access}`,
          view.leaf ? "leaf" : "consolidated",
          view.value === null && view.access !== "N" ? "empty" : "",
          view.value !== null && view.value < 0 && p.format.negativeRed ? "negative" : "",
          view.own ? `own-${view.own}` : "",
          view.highlighted ? "highlight" : "",
          view.held ? "held" : "",
          selected ? "selected" : "",
          active ? "active" : "",
        ];
        return (
          <div
            key={c}
            id={`cell-${r}-${c}`}
            role="gridcell"
            aria-colindex={grid.rowDimensions.length + c + 1}
            aria-selected={selected}
            aria-readonly={view.access !== "W"}
            aria-label={`${rowLabel(grid, r)}, ${columnLabel(grid, c)}: ${view.label}${view.held ? ", held" : ""}`}
            className={classes.join(" ")}
            data-col={c}
            style={{ left: vc.start, width: vc.size }}
            onMouseDown={(e) => {
              if (e.button !== 0 || editing) return;
              if (e.shiftKey) actions.key({ kind: "extendTo", cell: { r, c } });
              else actions.select(single({ r, c }));
            }}
            onMouseEnter={(e) => {
              if (e.buttons === 1) actions.key({ kind: "extendTo", cell: { r, c } });
            }}
            onDoubleClick={() => actions.key({ kind: "edit", initial: null })}
          >
            {editing && p.editing ? (
              <CellEditor
                state={p.editing}
                label={`Value of ${rowLabel(grid, r)}, ${columnLabel(grid, c)}`}
                onText={actions.editText}
                onCommit={actions.commitEdit}
                onCancel={actions.cancelEdit}
              />
            ) : (
              view.text
            )}
          </div>
        );
      })}
    </div>
  );
});
