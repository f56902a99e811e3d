import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { Session } from '../lib/types.ts';
import { ErrorMessage, Notice } from './Status.tsx';
import { MfaLoginStep, mfaTokenOf } from './MfaLoginStep.tsx';
import { SsoSignIn } from './SsoSignIn.tsx';

export function LoginPage({ onLogin }: { onLogin: (session: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [resetSent, setResetSent] = useState(false);
  // Set when the password was right and the account has TOTP on: the second step replaces the form.
  const [mfaToken, setMfaToken] = useState<string | null>(null);

  // The answer is the same whether the email has an account or not; so is this message.
  const forgot = async () => {
    setError(null);
    if (!/^\S+@\S+$/.test(email.trim())) return setError('Enter your email above, then choose "Forgot password?" again');
    try {
      await api.post('/api/auth/password-reset', { email: email.trim() });
      setResetSent(true);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await api.post<Session>('/api/auth/login', { email: email.trim(), password }));
    } catch (caught) {
      setMfaToken(mfaTokenOf(caught));
      if (!mfaTokenOf(caught)) setError(errorMessage(caught));
      setBusy(false);
    }
  };

  if (mfaToken) {
    const restart = (message: string) => {
      setMfaToken(null);
      setPassword('');
      setError(message);
    };
    return (
      <main className="login">
        <MfaLoginStep mfaToken={mfaToken} onLogin={onLogin} onRestart={restart} />
      </main>
    );
  }

  return (
    <main className="login">
      <form className="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Arkiv</h1>
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <ErrorMessage message={error} />
        {resetSent ? <Notice>If {email.trim()} has an account, a link to choose a new password is on its way (if this server sends mail; otherwise ask an administrator).</Notice> : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <button type="button" className="link" onClick={() => void forgot()}>
          Forgot password?
        </button>
        <SsoSignIn />
      </form>
    </main>
  );
}
