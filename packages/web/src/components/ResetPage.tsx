import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { Link } from '../lib/router.tsx';
import { ErrorMessage, Notice } from './Status.tsx';

/** /reset/{token}: choose a new password with a mailed link; every session of the account ends. */
export function ResetPage({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/auth/password-reset/${encodeURIComponent(token)}`, { newPassword: password });
      setDone(true);
    } catch (caught) {
      setError(errorMessage(caught));
    }
    setBusy(false);
  };
  return (
    <main className="login">
      <form className="card" onSubmit={submit} aria-labelledby="reset-title">
        <h1 id="reset-title">Choose a new password</h1>
        {done ? (
          <>
            <Notice>Your password is changed and every session of your account has ended.</Notice>
            <Link to="/">Sign in</Link>
          </>
        ) : (
          <>
            <label>
              New password (12 characters or more)
              <input type="password" name="password" autoComplete="new-password" minLength={12} required value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
            </label>
            <ErrorMessage message={error} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : 'Set password'}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
