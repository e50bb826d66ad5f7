// Opening, saving and deleting the cube's saved views.
import { useState, type SyntheticEvent } from "react";
import type { SavedView } from "../api/types";

interface Props {
  views: SavedView[];
  current: string | null;
  where: "server" | "browser";
  onOpen(name: string): void;
  onSave(name: string): void;
  onDelete(name: string): void;
}

export function SavedViewsMenu({ views, current, where, onOpen, onSave, onDelete }: Props) {
  const [name, setName] = useState(current ?? "");
  const save = (e: SyntheticEvent) => {
    e.preventDefault();
    if (name.trim()) onSave(name.trim());
  };
  return (
    <div className="saved-views">
      <label>
        View{" "}
        <select
          value={current ?? ""}
          onChange={(e) => e.target.value && onOpen(e.target.value)}
          aria-label="Saved view"
        >
          <option value="">(unsaved)</option>
          {views.map((v) => (
            <option key={v.name} value={v.name}>
              {v.name}
            </option>
          ))}
        </select>
      </label>
      <form onSubmit={save} className="save-view">
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="View name"
          aria-label="Name to save the view as"
        />
        <button
          type="submit"
          title={
            where === "browser" ? "Saved in this browser until the server keeps views" : "Saved on the server"
          }
        >
          Save view
        </button>
      </form>
      {current ? (
        <button type="button" onClick={() => onDelete(current)}>
          Delete view
        </button>
      ) : null}
    </div>
  );
}
