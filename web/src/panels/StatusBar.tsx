// Where the page says what it is doing: edits being sent or kept while
// offline, edits the server refused (with its message, until dismissed),
// the live connection, and the last notice.
import type { LiveState } from "../live/liveChannel";
import type { QueuedEdit } from "../edits/editQueue";
import type { Notice } from "../app/usePlannerActions";

interface Props {
  loading: boolean;
  live: LiveState;
  edits: readonly QueuedEdit[];
  offline: boolean;
  storeError: string | null;
  notice: Notice | null;
  onDismissNotice(): void;
  onDiscard(id: string): void;
  gridError: string | null;
}

export function StatusBar(p: Props) {
  const pending = p.edits.filter((e) => e.state === "pending").length;
  const failed = p.edits.filter((e) => e.state === "failed");
  const conflicts = p.edits.filter((e) => e.state === "conflict").length;
  const offline = p.offline;
  const s = (n: number) => (n > 1 ? "s" : "");
  const saving =
    pending > 0
      ? offline
        ? `Offline: ${pending} unsent edit${s(pending)} kept in this browser, sent when the server answers again`
        : `Saving ${pending} edit${s(pending)}…`
      : conflicts + failed.length === 0
        ? "All edits saved"
        : "";
  return (
    <div className="status">
      <div className="status-line">
        <span
          className={`saving ${pending > 0 ? (p.offline ? "offline" : "busy") : "done"}`}
          role="status"
          data-pending={pending}
        >
          {saving}
        </span>
        {conflicts > 0 ? (
          <span className="saving offline">
            {conflicts} edit{s(conflicts)} not saved: someone changed the cells first
          </span>
        ) : null}
        <span className={`live live-${p.live}`} title="Live updates from other planners">
          {p.live === "live"
            ? "Live"
            : p.live === "connecting"
              ? "Connecting…"
              : "Live updates reconnecting…"}
        </span>
        {p.loading ? <span className="loading">Refreshing…</span> : null}
      </div>
      {p.storeError ? (
        <div role="alert" className="banner error">
          {p.storeError}
        </div>
      ) : null}
      {p.gridError ? (
        <div role="alert" className="banner error">
          {p.gridError}
        </div>
      ) : null}
      {failed.map((e) => (
        <div role="alert" className="banner error" key={e.id}>
          Not saved: {e.label}: {e.error?.message}{" "}
          <button type="button" onClick={() => p.onDiscard(e.id)}>
            Discard
          </button>
        </div>
      ))}
      {p.notice ? (
        <div role={p.notice.kind === "error" ? "alert" : "status"} className={`banner ${p.notice.kind}`}>
          {p.notice.text}{" "}
          <button type="button" onClick={p.onDismissNotice} aria-label="Dismiss">
            ×
          </button>
        </div>
      ) : null}
    </div>
  );
}
