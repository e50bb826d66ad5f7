// The charts under the grid: the selected rows as series over the columns
// (time), and the variance between two versions of them.
import { memo, useEffect, useMemo, useState } from "react";
import type { ApiClient } from "../api/client";
import type { CubeInfo, ViewSpec } from "../api/types";
import { formatValue, type NumberFormat } from "../grid/format";
import { gridOf, type GridData } from "../grid/gridModel";
import { messageOf } from "../app/Workspace";
import { placeOf } from "../view/viewSpec";
import { rowSeries, variance, type ChartData } from "./chartData";
import { EChart, type ChartOption } from "./EChart";

interface Props {
  client: ApiClient;
  cube: CubeInfo;
  view: ViewSpec;
  grid: GridData;
  rows: number[];
  format: NumberFormat;
}

const VARIANCE_DELAY_MS = 100;

function option(data: ChartData, kind: "line" | "bar", title: string, format: NumberFormat): ChartOption {
  return {
    animation: false,
    title: { text: title, textStyle: { fontSize: 13 } },
    tooltip: {
      trigger: "axis",
      valueFormatter: (v: unknown) => (typeof v === "number" ? formatValue(v, format) : ""),
    },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 70, right: 16, top: 36, bottom: 48 },
    xAxis: { type: "category", data: data.categories },
    yAxis: { type: "value" },
    series: data.series.map((s) => ({ name: s.name, type: kind, data: s.values, connectNulls: false })),
  };
}

/**
 * The charts follow the grid and the selection a moment later, so drawing
 * them never delays an edit's round trip or the grid's paint.
 */
const FOLLOW_MS = 120;

function ChartPanel(props: Props) {
  const [shown, setShown] = useState({ grid: props.grid, rows: props.rows });
  useEffect(() => {
    const timer = setTimeout(() => setShown({ grid: props.grid, rows: props.rows }), FOLLOW_MS);
    return () => clearTimeout(timer);
  }, [props.grid, props.rows]);
  return <Charts {...props} grid={shown.grid} rows={shown.rows} />;
}

export default memo(ChartPanel);

function Charts({ client, cube, view, grid, rows, format }: Props) {
  const series = useMemo(() => rowSeries(grid, rows), [grid, rows]);
  const versionDimension = cube.dimensions.find((d) => /version|scenario/i.test(d));
  const [versions, setVersions] = useState<string[]>([]);
  const [pair, setPair] = useState<[string, string] | null>(null);
  const [varianceData, setVarianceData] = useState<ChartData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!versionDimension) return;
    client.members(versionDimension, "", 50).then(
      (a) => {
        const names = a.members.map((m) => m.name);
        setVersions(names);
        if (names.length >= 2) setPair([names[0], names[1]]);
      },
      (e: unknown) => setError(messageOf(e)),
    );
  }, [client, versionDimension]);

  const inContext = versionDimension !== undefined && placeOf(view, versionDimension) === "context";
  const rowKeys = useMemo(() => rows.map((r) => grid.rowKeys[r]), [grid, rows]);
  useEffect(() => {
    if (!pair || !versionDimension || !inContext || rowKeys.length === 0) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      const of = (version: string): Promise<GridData> => {
        const v = {
          ...view,
          context: { ...view.context, [versionDimension]: version },
          suppress_empty: { rows: false, columns: false },
        };
        return client.grid(cube.name, v).then((g) => gridOf(g.answer, g.sequence, v, cube.dimensions));
      };
      Promise.all([of(pair[0]), of(pair[1])]).then(
        ([a, b]) => {
          if (cancelled) return;
          setVarianceData(variance(a, b, rowKeys));
          setError(null);
        },
        (e: unknown) => !cancelled && setError(messageOf(e)),
      );
    }, VARIANCE_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, cube, view, pair, versionDimension, inContext, rowKeys, grid.sequence]);

  const seriesOption = useMemo(() => option(series, "line", "Selected rows", format), [series, format]);
  const varianceOption = useMemo(
    () => (varianceData && pair ? option(varianceData, "bar", `${pair[1]} − ${pair[0]}`, format) : null),
    [varianceData, pair, format],
  );

  return (
    <section className="chart-panel" aria-label="Charts">
      <div className="chart-box">
        <EChart
          option={seriesOption}
          label={`The selected rows over ${grid.columnDimensions.join(", ")}: ${series.series.map((s) => s.name).join("; ")}`}
        />
      </div>
      <div className="chart-box">
        {versionDimension ? (
          <div className="variance-controls">
            Variance{" "}
            <select
              aria-label="Version to compare"
              value={pair?.[1] ?? ""}
              onChange={(e) => pair && setPair([pair[0], e.target.value])}
            >
              {versions.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>{" "}
            −{" "}
            <select
              aria-label="Version compared with"
              value={pair?.[0] ?? ""}
              onChange={(e) => pair && setPair([e.target.value, pair[1]])}
            >
              {versions.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </div>
        ) : null}
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        {!versionDimension ? <p>This cube has no version dimension to compare.</p> : null}
        {versionDimension && !inContext ? (
          <p>Put {versionDimension} in the context to compare two versions.</p>
        ) : null}
        {varianceOption && inContext ? (
          <EChart
            option={varianceOption}
            label={`Variance ${pair?.[1] ?? ""} minus ${pair?.[0] ?? ""}: ${varianceData?.series.map((x) => x.name).join("; ") ?? ""}`}
          />
        ) : null}
      </div>
    </section>
  );
}
