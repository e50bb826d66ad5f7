// The logged-in session. The token lives in sessionStorage, never the
// password: it survives a reload of this tab (so unsent edits can be sent
// without logging in again) but not the tab itself, and other tabs and
// sites cannot read it. localStorage would keep it after the tab closes;
// memory alone would lose it on every reload.
import type { LoginAnswer } from "./types";

export interface Session {
  token: string;
  user: string;
  admin: boolean;
  expiresS: number;
}

const KEY = "quantatom.session";

export function sessionOf(answer: LoginAnswer): Session {
  return {
    token: answer.token,
    user: answer.user,
    admin: answer.admin,
    expiresS: answer.expires_s,
  };
}

export function loadSession(storage: Storage, nowS: number): Session | null {
  const text = storage.getItem(KEY);
  if (!text) return null;
  try {
    const s = JSON.parse(text) as Session;
    if (typeof s.token !== "string" || typeof s.user !== "string") return null;
    return s.expiresS > nowS ? s : null;
  } catch {
    return null;
  }
}

export function storeSession(storage: Storage, session: Session | null): void {
  if (session) storage.setItem(KEY, JSON.stringify(session));
  else storage.removeItem(KEY);
}
