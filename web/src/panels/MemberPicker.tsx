// Picking members of a dimension by searching names and aliases: for an
// axis, a list of selection terms (a member, its children, descendants or
// leaves); for the context, one member.
import { useEffect, useState } from "react";
import type { ApiClient } from "../api/client";
import type { MemberInfo } from "../api/types";
import { messageOf } from "../app/Workspace";
import { Modal } from "./Modal";

const SEARCH_DELAY_MS = 200;

interface Props {
  client: ApiClient;
  dimension: string;
  /** Terms of an axis, or null to pick one context member. */
  terms: string[] | null;
  onPick(terms: string[]): void;
  onClose(): void;
}

export function MemberPicker({ client, dimension, terms, onPick, onClose }: Props) {
  const [search, setSearch] = useState("");
  const [found, setFound] = useState<{ members: MemberInfo[]; matches: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string[]>(terms ?? []);

  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      client.members(dimension, search, 50).then(
        (a) => {
          if (cancelled) return;
          setFound({ members: a.members, matches: a.matches });
          setError(null);
        },
        (e: unknown) => !cancelled && setError(messageOf(e)),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, dimension, search]);

  const add = (term: string) => setChosen((c) => [...c, term]);
  return (
    <Modal title={terms ? `Members of ${dimension}` : `${dimension} in the context`} onClose={onClose}>
      <div className="picker">
        <label>
          Search name or alias{" "}
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoFocus />
        </label>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <ul className="picker-results" aria-label="Members found">
          {found?.members.map((m) => (
            <li key={m.name}>
              <span className="member" style={{ paddingLeft: m.depth * 10 }}>
                {m.name}
                {m.aliases.length > 0 ? <span className="aliases"> ({m.aliases.join(", ")})</span> : null}
              </span>
              {terms ? (
                <span className="term-buttons">
                  <button type="button" onClick={() => add(m.name)} aria-label={`Add ${m.name}`}>
                    Member
                  </button>
                  {m.leaf ? null : (
                    <>
                      <button
                        type="button"
                        onClick={() => add(`children(${m.name})`)}
                        aria-label={`Add the children of ${m.name}`}
                      >
                        Children
                      </button>
                      <button
                        type="button"
                        onClick={() => add(`descendants(${m.name})`)}
                        aria-label={`Add ${m.name} and its descendants`}
                      >
                        Descendants
                      </button>
                      <button
                        type="button"
                        onClick={() => add(`leaves(${m.name})`)}
                        aria-label={`Add the leaves of ${m.name}`}
                      >
                        Leaves
                      </button>
                    </>
                  )}
                </span>
              ) : (
                <button type="button" onClick={() => onPick([m.name])} aria-label={`Choose ${m.name}`}>
                  Choose
                </button>
              )}
            </li>
          ))}
        </ul>
        {found && found.matches > found.members.length ? (
          <p className="hint">{found.matches - found.members.length} more match; narrow the search.</p>
        ) : null}
        {terms ? (
          <>
            <h3>Selection</h3>
            <ol className="chosen" aria-label="Selection">
              {chosen.map((t, i) => (
                <li key={`${t}-${i}`}>
                  {t}{" "}
                  <button
                    type="button"
                    onClick={() => setChosen((c) => c.filter((_, j) => j !== i))}
                    aria-label={`Remove ${t}`}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ol>
            <div className="dialog-buttons">
              <button type="button" disabled={chosen.length === 0} onClick={() => onPick(chosen)}>
                Apply
              </button>
              <button type="button" onClick={onClose}>
                Cancel
              </button>
            </div>
          </>
        ) : null}
      </div>
    </Modal>
  );
}
