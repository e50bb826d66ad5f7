// The grid's keyboard shortcuts, one click away.
const KEYS: [string, string][] = [
  ["Arrows, Page Up/Down, Home/End", "move (Shift extends the selection)"],
  ["Type, F2, Enter, double click", "edit the active cell"],
  ["Enter / Shift+Enter, Tab / Shift+Tab", "commit and move down, up, right, left"],
  ["Escape", "cancel the edit"],
  ["Delete", "clear the selected writable cells"],
  ["Ctrl+C, Ctrl+V", "copy the selection; paste a block as one transaction"],
  ["Ctrl+Z; Ctrl+Y or Ctrl+Shift+Z", "undo; redo"],
  ["Alt+→ or Alt+←; Alt+↓ or Alt+↑", "expand or collapse the row's member; the column's"],
  ["Alt+H", "history of the active cell"],
];

export function KeysHelp() {
  return (
    <details className="menu">
      <summary>Keys</summary>
      <div className="menu-body keys">
        <table>
          <tbody>
            {KEYS.map(([keys, what]) => (
              <tr key={keys}>
                <th scope="row">{keys}</th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
