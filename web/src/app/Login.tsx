import { useState, type SyntheticEvent } from "react";
import { ApiClient, ApiError } from "../api/client";
import { sessionOf, type Session } from "../api/session";

interface Props {
  onLogin(session: Session): void;
  notice: string | null;
}

export function Login({ onLogin, notice }: Props) {
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(sessionOf(await ApiClient.login(user, password)));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">QuantatomAI</h1>
        {notice ? <p className="notice">{notice}</p> : null}
        <label>
          User
          <input
            name="user"
            autoComplete="username"
            value={user}
            onChange={(e) => setUser(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </form>
    </main>
  );
}
