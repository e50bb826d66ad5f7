// Live updates over the WebSocket /api/live (docs/api.md): subscribes to
// one cube after the sequence of the grid shown, so no change is missed or
// shown twice, and reconnects with growing pauses when the connection drops.
import type { LiveMessage } from "../api/types";

export type LiveState = "connecting" | "live" | "offline";

export interface LiveHandlers {
  onMessage(m: LiveMessage): void;
  onState(s: LiveState): void;
}

const RECONNECT_MS_MIN = 500;
const RECONNECT_MS_MAX = 10_000;

export class LiveChannel {
  private socket: WebSocket | null = null;
  private cube: string | null = null;
  private after = 0;
  private reconnectMs = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly url: () => string,
    private readonly handlers: LiveHandlers,
  ) {}

  /** Follows `cube` from after `sequence` (the grid's); replaces the previous subscription. */
  follow(cube: string, sequence: number): void {
    if (this.cube === cube) {
      this.after = Math.max(this.after, sequence);
    } else {
      if (this.cube) this.send({ op: "unsubscribe", cube: this.cube });
      this.cube = cube;
      this.after = sequence;
      this.subscribe();
    }
    if (!this.socket && !this.timer) this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
    this.socket = null;
  }

  private connect(): void {
    this.handlers.onState("connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = () => {
      this.reconnectMs = 0;
      this.handlers.onState("live");
      this.subscribe();
    };
    socket.onmessage = (event: MessageEvent<string>) => {
      const m = JSON.parse(event.data) as LiveMessage;
      if (m.type === "change" || m.type === "reload") this.after = Math.max(this.after, m.sequence);
      this.handlers.onMessage(m);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed) return;
      this.handlers.onState("offline");
      this.reconnectMs = Math.min(RECONNECT_MS_MAX, Math.max(RECONNECT_MS_MIN, this.reconnectMs * 2));
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.closed) this.connect();
      }, this.reconnectMs);
    };
  }

  private subscribe(): void {
    if (this.cube) this.send({ op: "subscribe", cube: this.cube, after: this.after });
  }

  private send(message: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
