// Every call the web app makes to the server (docs/api.md), with the
// session's bearer token. Errors arrive as ApiError: the server's code and
// message, or code NETWORK when no answer came (the caller may retry).
import type {
  CellWrite,
  CommitAnswer,
  GridAnswer,
  Hold,
  HistoryAnswer,
  LoginAnswer,
  MembersAnswer,
  ModelAnswer,
  SavedView,
  SpreadMethod,
  SpreadRequest,
  SyncAnswer,
  SyncConflict,
  UndoAnswer,
  ViewSpec,
} from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** No answer came: the request may or may not have been applied. */
  get isNetwork(): boolean {
    return this.code === "NETWORK";
  }

  /** Worth sending again later with the same client_txn_id. */
  get isRetryable(): boolean {
    return this.isNetwork || this.status === 503 || this.status === 502 || this.status === 504;
  }
}

export interface Grid {
  answer: GridAnswer;
  /** A sequence the grid includes (X-Quantatom-Sequence). */
  sequence: number;
}

const enc = encodeURIComponent;

export class ApiClient {
  private readonly unauthenticated = new Set<() => void>();

  constructor(
    private token: string,
    private readonly base = "",
  ) {}

  /** Told when the server refuses the token (expired, revoked). */
  onUnauthenticated(listener: () => void): () => void {
    this.unauthenticated.add(listener);
    return () => this.unauthenticated.delete(listener);
  }

  static async login(user: string, password: string, base = ""): Promise<LoginAnswer> {
    const client = new ApiClient("", base);
    return client.json<LoginAnswer>("POST", "/api/login", { user, password });
  }

  logout(): Promise<unknown> {
    return this.json("POST", "/api/logout");
  }

  model(): Promise<ModelAnswer> {
    return this.json("GET", "/api/model");
  }

  /** Members whose name or an alias contains `search` (ignoring case). */
  members(dimension: string, search: string, limit = 50): Promise<MembersAnswer> {
    const query = `search=${enc(search)}&offset=0&limit=${limit}`;
    return this.json("GET", `/api/dimensions/${enc(dimension)}/members?${query}`);
  }

  async grid(cube: string, view: ViewSpec): Promise<Grid> {
    const response = await this.send("POST", `/api/cubes/${enc(cube)}/view`, view);
    const answer = (await response.json()) as GridAnswer;
    return { answer, sequence: Number(response.headers.get("X-Quantatom-Sequence") ?? 0) };
  }

  writeCells(
    cube: string,
    cells: CellWrite[],
    expectedSequence: number | undefined,
    clientTxnId: string,
  ): Promise<CommitAnswer> {
    return this.json("POST", `/api/cubes/${enc(cube)}/cells`, {
      cells,
      ...(expectedSequence === undefined ? {} : { expected_sequence: expectedSequence }),
      client_txn_id: clientTxnId,
    });
  }

  /**
   * Edits typed on a grid of sequence `base` (perhaps offline), merged as one
   * transaction: a cell changed on the server since `base` is a conflict and
   * nothing is written (409 CONFLICT, each conflict with the server's value,
   * its sequence and user, as a cell write's conflicts have them).
   */
  async syncCells(
    cube: string,
    base: number,
    cells: CellWrite[],
    clientTxnId: string,
  ): Promise<CommitAnswer> {
    try {
      const answer = await this.json<SyncAnswer>("POST", `/api/cubes/${enc(cube)}/sync`, {
        base_sequence: base,
        policy: "refuse",
        cells,
        client_txn_id: clientTxnId,
      });
      return { sequence: answer.sequence, atoms_changed: answer.cells_applied, replayed: false };
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== "CONFLICT") throw e;
      const conflicts = ((e.details.conflicts ?? []) as SyncConflict[]).map((c) => ({
        cell: c.cell,
        sequence: c.sequence,
        user: c.user,
        value: c.theirs,
      }));
      throw new ApiError(e.status, e.code, e.message, { ...e.details, conflicts });
    }
  }

  undo(sequence: number, clientTxnId: string): Promise<UndoAnswer> {
    return this.json("POST", `/api/transactions/${sequence}/undo`, { client_txn_id: clientTxnId });
  }

  history(cube: string, cell: string[]): Promise<HistoryAnswer> {
    return this.json("GET", `/api/cubes/${enc(cube)}/cells/history?cell=${enc(csvLine(cell))}`);
  }

  savedViews(cube: string): Promise<{ views: SavedView[] }> {
    return this.json("GET", `/api/cubes/${enc(cube)}/views`);
  }

  saveView(cube: string, name: string, view: ViewSpec): Promise<unknown> {
    return this.json("PUT", `/api/cubes/${enc(cube)}/views/${enc(name)}`, { view });
  }

  deleteView(cube: string, name: string): Promise<unknown> {
    return this.json("DELETE", `/api/cubes/${enc(cube)}/views/${enc(name)}`);
  }

  spreadMethods(): Promise<{ methods: SpreadMethod[] }> {
    return this.json("GET", "/api/spread/methods");
  }

  spread(cube: string, request: SpreadRequest): Promise<CommitAnswer> {
    return this.json("POST", `/api/cubes/${enc(cube)}/spread`, request);
  }

  holds(cube: string): Promise<{ holds: Hold[] }> {
    return this.json("GET", `/api/cubes/${enc(cube)}/holds`);
  }

  hold(cube: string, cells: string[][]): Promise<unknown> {
    return this.json("POST", `/api/cubes/${enc(cube)}/holds`, { cells });
  }

  release(cube: string, cells: string[][] | "all"): Promise<unknown> {
    const body = cells === "all" ? { all: true } : { cells };
    return this.json("POST", `/api/cubes/${enc(cube)}/holds/release`, body);
  }

  /** The WebSocket address of live updates, with the token in the query as docs/api.md says. */
  liveUrl(location: { protocol: string; host: string }): string {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${this.base}/api/live?access_token=${enc(this.token)}`;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    return (await response.json()) as T;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, "NETWORK", `no answer from the server (${String(e)})`);
    }
    if (response.ok) return response;
    const error = await errorOf(response);
    if (error.status === 401 && this.token) for (const l of this.unauthenticated) l();
    throw error;
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    parsed = undefined;
  }
  const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    const { code, message, ...details } = error;
    return new ApiError(response.status, code, message, details);
  }
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText);
}

/** One CSV line of names (docs/api.md: `cell` is CSV; quote a name holding a comma). */
export function csvLine(names: string[]): string {
  return names.map((n) => (/[",\n\r]/.test(n) ? `"${n.replaceAll('"', '""')}"` : n)).join(",");
}
