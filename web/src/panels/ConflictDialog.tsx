// An edit the server refused because someone changed its cells after the
// grid the planner typed into: both values side by side, and a choice.
import type { QueuedEdit } from "../edits/editQueue";
import { cellKey } from "../grid/gridModel";
import { formatValue, type NumberFormat } from "../grid/format";
import { Modal } from "./Modal";

interface Props {
  edit: QueuedEdit;
  format: NumberFormat;
  onKeepMine(): void;
  onTakeTheirs(): void;
}

export function ConflictDialog({ edit, format, onKeepMine, onTakeTheirs }: Props) {
  const mine = new Map(edit.cells.map((c) => [cellKey(c.members), c.value]));
  const value = (v: number | null | undefined) =>
    v === null || v === undefined ? "empty" : formatValue(v, format);
  return (
    <Modal title="Someone changed these cells first">
      <p>
        Your edit <strong>{edit.label}</strong> was not saved: another planner wrote these cells after you
        read them.
      </p>
      <table className="conflicts">
        <thead>
          <tr>
            <th scope="col">Cell</th>
            <th scope="col">Yours</th>
            <th scope="col">Theirs</th>
          </tr>
        </thead>
        <tbody>
          {(edit.conflicts ?? []).map((c) => (
            <tr key={cellKey(c.cell)}>
              <td>{c.cell.join(", ")}</td>
              <td className="number mine">{value(mine.get(cellKey(c.cell)))}</td>
              <td className="number theirs">
                {value(c.value)}{" "}
                <span className="who">
                  ({c.user}, #{c.sequence})
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-buttons">
        <button type="button" onClick={onKeepMine}>
          Keep mine
        </button>
        <button type="button" onClick={onTakeTheirs}>
          Take theirs
        </button>
      </div>
    </Modal>
  );
}
