// The history of a cell from the log (AODL): who changed it, when, from
// what to what, and by which operation; for a consolidated cell, which atom.
// Keyed by its cell where used, so another cell gets a fresh panel.
import { useEffect, useState } from "react";
import type { ApiClient } from "../api/client";
import type { HistoryAnswer } from "../api/types";
import { formatValue, type NumberFormat } from "../grid/format";
import { messageOf } from "../app/Workspace";

interface Props {
  client: ApiClient;
  cube: string;
  cell: string[];
  label: string;
  format: NumberFormat;
  onClose(): void;
}

export function HistoryPanel({ client, cube, cell, label, format, onClose }: Props) {
  const [answer, setAnswer] = useState<HistoryAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    client.history(cube, cell).then(
      (a) => !cancelled && setAnswer(a),
      (e: unknown) => !cancelled && setError(messageOf(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [client, cube, cell]);

  const value = (v: number | null) => (v === null ? "empty" : formatValue(v, format));
  const consolidated = answer?.changes.some((c) => c.atom.join() !== answer.cell.join()) ?? false;
  return (
    <aside className="side-panel" aria-label={`History of ${label}`}>
      <header>
        <h2>History</h2>
        <button type="button" onClick={onClose} aria-label="Close history">
          ×
        </button>
      </header>
      <p className="cell-name">{label}</p>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {!answer && !error ? <p>Loading…</p> : null}
      {answer && answer.changes.length === 0 ? <p>No change in the log.</p> : null}
      {answer && answer.changes.length > 0 ? (
        <table className="history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Operation</th>
              {consolidated ? <th scope="col">Cell</th> : null}
              <th scope="col">Old</th>
              <th scope="col">New</th>
            </tr>
          </thead>
          <tbody>
            {[...answer.changes].reverse().map((c, i) => (
              <tr key={`${c.sequence}-${i}`}>
                <td>
                  <time dateTime={new Date(c.time_us / 1000).toISOString()}>
                    {new Date(c.time_us / 1000).toLocaleString()}
                  </time>
                </td>
                <td>{c.user}</td>
                <td>
                  {c.kind} #{c.sequence}
                </td>
                {consolidated ? <td>{c.atom.join(", ")}</td> : null}
                <td className="number">{value(c.old_value)}</td>
                <td className="number">{value(c.new_value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {answer && answer.changes_omitted > 0 ? <p>{answer.changes_omitted} older changes not shown.</p> : null}
    </aside>
  );
}
