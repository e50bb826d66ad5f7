// Building the view: dimensions dragged between rows, columns and the
// context (or moved with each chip's "Place" menu from the keyboard), and
// their members picked.
import { useState, type DragEvent } from "react";
import type { ApiClient } from "../api/client";
import type { CubeInfo, ViewSpec } from "../api/types";
import { moveDimension, placeOf, withAxisMembers, withContextMember, type Place } from "../view/viewSpec";
import { MemberPicker } from "./MemberPicker";

interface Props {
  client: ApiClient;
  cube: CubeInfo;
  view: ViewSpec;
  rootOf(dimension: string): string;
  onChange(v: ViewSpec): void;
}

const MIME = "application/x-quantatom-dimension";
const PLACES: { place: Place; title: string }[] = [
  { place: "rows", title: "Rows" },
  { place: "columns", title: "Columns" },
  { place: "context", title: "Context" },
];

export function ViewBar({ client, cube, view, rootOf, onChange }: Props) {
  const [picking, setPicking] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const move = (dimension: string, to: Place, index?: number) => {
    const next = moveDimension(view, dimension, to, index, rootOf);
    if (next !== view) onChange(next);
    setRefused(
      next === view && placeOf(view, dimension) !== to
        ? `${dimension} stays: rows and columns each need a dimension`
        : null,
    );
  };
  const dimensionsIn = (place: Place) =>
    place === "context"
      ? cube.dimensions.filter((d) => placeOf(view, d) === "context")
      : view[place].map((a) => a.dimension);
  const summary = (dimension: string) => {
    const place = placeOf(view, dimension);
    if (place === "context") return view.context[dimension] ?? rootOf(dimension);
    return view[place].find((a) => a.dimension === dimension)?.members.join(", ") ?? "";
  };
  const drop = (e: DragEvent, place: Place, index?: number) => {
    const dimension = e.dataTransfer.getData(MIME);
    if (!dimension) return;
    e.preventDefault();
    e.stopPropagation();
    move(dimension, place, index);
  };

  const pickingPlace = picking ? placeOf(view, picking) : null;
  return (
    <section className="viewbar" aria-label="View layout">
      {PLACES.map(({ place, title }) => (
        <div
          key={place}
          className={`zone zone-${place}`}
          data-zone={place}
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes(MIME)) e.preventDefault();
          }}
          onDrop={(e) => drop(e, place)}
        >
          <h2 id={`zone-${place}`}>{title}</h2>
          <ul aria-labelledby={`zone-${place}`}>
            {dimensionsIn(place).map((dimension, index) => (
              <li
                key={dimension}
                className="chip"
                draggable
                data-dimension={dimension}
                onDragStart={(e) => {
                  e.dataTransfer.setData(MIME, dimension);
                  e.dataTransfer.effectAllowed = "move";
                }}
                onDragOver={(e) => {
                  if (e.dataTransfer.types.includes(MIME)) e.preventDefault();
                }}
                onDrop={(e) => drop(e, place, place === "context" ? undefined : index)}
              >
                <span className="chip-name">{dimension}</span>
                <button
                  type="button"
                  className="chip-members"
                  onClick={() => setPicking(dimension)}
                  aria-label={`Members of ${dimension}: ${summary(dimension)}`}
                >
                  {summary(dimension)}
                </button>
                <select
                  aria-label={`Place of ${dimension}`}
                  value={place}
                  onChange={(e) => move(dimension, e.target.value as Place)}
                >
                  {PLACES.map((p) => (
                    <option key={p.place} value={p.place}>
                      {p.title}
                    </option>
                  ))}
                </select>
              </li>
            ))}
          </ul>
        </div>
      ))}
      {refused ? (
        <p role="alert" className="error refused">
          {refused}
        </p>
      ) : null}
      {picking && pickingPlace ? (
        <MemberPicker
          client={client}
          dimension={picking}
          terms={
            pickingPlace === "context"
              ? null
              : (view[pickingPlace].find((a) => a.dimension === picking)?.members ?? [])
          }
          onPick={(terms) => {
            onChange(
              pickingPlace === "context"
                ? withContextMember(view, picking, terms[0])
                : withAxisMembers(view, picking, terms),
            );
            setPicking(null);
          }}
          onClose={() => setPicking(null)}
        />
      ) : null}
    </section>
  );
}
