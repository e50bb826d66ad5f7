// The live channel of the cube shown, following the grid's sequence; tells
// when the connection comes back so the page can catch up.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { ApiClient } from "../api/client";
import type { LiveMessage } from "../api/types";
import { LiveChannel, type LiveState } from "../live/liveChannel";

export function useLive(
  client: ApiClient,
  cube: string,
  sequence: number | undefined,
  onMessage: (m: LiveMessage) => void,
  onReconnect: () => void,
): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const handlers = useRef({ onMessage, onReconnect });
  useLayoutEffect(() => {
    handlers.current = { onMessage, onReconnect };
  });
  const channel = useRef<LiveChannel | null>(null);

  useEffect(() => {
    let wasOffline = false;
    const ch = new LiveChannel(() => client.liveUrl(window.location), {
      onMessage: (m) => handlers.current.onMessage(m),
      onState: (s) => {
        setState(s);
        if (s === "offline") wasOffline = true;
        if (s === "live" && wasOffline) {
          wasOffline = false;
          handlers.current.onReconnect();
        }
      },
    });
    channel.current = ch;
    return () => {
      ch.close();
      channel.current = null;
    };
  }, [client]);

  useEffect(() => {
    if (sequence !== undefined) channel.current?.follow(cube, sequence);
  }, [cube, sequence]);

  return state;
}
