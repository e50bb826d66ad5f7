// Writing to consolidated cells: a value spread over the leaves beneath by
// a method the server provides, or a TM1 shorthand expression. Until a
// server has spreading, the dialog shows the server's own error.
import { useEffect, useState, type SyntheticEvent } from "react";
import type { ApiClient } from "../api/client";
import type { SpreadAction, SpreadMethod } from "../api/types";
import { newEditId } from "../edits/editQueue";
import { parseNumber } from "../grid/parseInput";
import { messageOf } from "../app/Workspace";
import { Modal } from "./Modal";

export interface SpreadTarget {
  /** One cell or a rectangular range, row by row, each as member names in cube order. */
  cells: string[][];
  value: number | null;
  label: string;
}

interface Props {
  client: ApiClient;
  cube: string;
  target: SpreadTarget;
  expectedSequence: number;
  ownIds: Set<string>;
  onDone(sequence: number, label: string): void;
  onClose(): void;
}

export function SpreadDialog({ client, cube, target, expectedSequence, ownIds, onDone, onClose }: Props) {
  const [methods, setMethods] = useState<SpreadMethod[]>([]);
  const [methodsError, setMethodsError] = useState<string | null>(null);
  const [method, setMethod] = useState("proportional");
  const [value, setValue] = useState(target.value === null ? "" : String(target.value));
  const [action, setAction] = useState<SpreadAction>("replace");
  const [expression, setExpression] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    client.spreadMethods().then(
      (m) => {
        setMethods(m.methods);
        if (m.methods[0]) setMethod(m.methods[0].name);
      },
      (e: unknown) => setMethodsError(messageOf(e)),
    );
  }, [client]);

  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    const id = newEditId();
    let request;
    if (expression.trim()) {
      request = {
        cells: target.cells,
        expression: expression.trim(),
        expected_sequence: expectedSequence,
        client_txn_id: id,
      };
    } else {
      const parsed = parseNumber(value);
      if (!parsed.ok) {
        setError(parsed.message);
        return;
      }
      request = {
        cells: target.cells,
        method,
        value: parsed.value,
        action,
        expected_sequence: expectedSequence,
        client_txn_id: id,
      };
    }
    setBusy(true);
    setError(null);
    ownIds.add(id);
    try {
      const answer = await client.spread(cube, request);
      onDone(answer.sequence, `spread over ${target.label}`);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  const cells = target.cells.length;
  return (
    <Modal
      title={`Spread over ${target.label}${cells > 1 ? ` and ${cells - 1} more cells` : ""}`}
      onClose={onClose}
    >
      <form onSubmit={(e) => void submit(e)} className="spread">
        {methodsError ? (
          <p role="alert" className="error">
            Spreading methods: {methodsError}
          </p>
        ) : null}
        <label>
          Method{" "}
          <select value={method} onChange={(e) => setMethod(e.target.value)}>
            {methods.length === 0 ? <option value="proportional">Proportional spread</option> : null}
            {methods.map((m) => (
              <option key={m.code} value={m.name}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Value{" "}
          <input value={value} onChange={(e) => setValue(e.target.value)} inputMode="decimal" autoFocus />
        </label>
        <label>
          Action{" "}
          <select value={action} onChange={(e) => setAction(e.target.value as SpreadAction)}>
            <option value="replace">Replace</option>
            <option value="add">Add</option>
            <option value="subtract">Subtract</option>
          </select>
        </label>
        <label>
          Or an expression (TM1 shorthand, e.g. P&lt;&gt;100){" "}
          <input value={expression} onChange={(e) => setExpression(e.target.value)} />
        </label>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <div className="dialog-buttons">
          <button type="submit" disabled={busy}>
            Spread
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
