import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { ApiError, errorMessage } from '../lib/problem.ts';
import type { MfaRequiredProblem, Session } from '../lib/types.ts';
import { Field } from './Field.tsx';
import { ErrorMessage } from './Status.tsx';

/** The mfaToken of a login answered 401 mfa_required, or null for any other failure. */
export function mfaTokenOf(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== 'mfa_required') return null;
  return (error.body as MfaRequiredProblem | undefined)?.mfaToken ?? null;
}

/**
 * The second step of signing in with TOTP on: the app's 6-digit code, or one recovery code.
 * An expired or used mfaToken sends the person back to the password (onRestart).
 */
export function MfaLoginStep({ mfaToken, onLogin, onRestart }: { mfaToken: string; onLogin: (session: Session) => void; onRestart: (message: string) => void }) {
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const proof = useRecovery ? { recoveryCode: value.trim() } : { code: value.replace(/\s/g, '') };
    try {
      onLogin(await api.post<Session>('/api/auth/login/mfa', { mfaToken, ...proof }, { quiet401: true }));
    } catch (caught) {
      setBusy(false);
      if (caught instanceof ApiError && caught.code === 'mfa_token_invalid') return onRestart(caught.message);
      setError(errorMessage(caught));
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="mfa-title">
      <h1 id="mfa-title">Two-factor authentication</h1>
      <p className="hint">{useRecovery ? 'Enter one of the recovery codes you saved when you turned on two-factor authentication. Each works once.' : 'Enter the 6-digit code from your authenticator app.'}</p>
      {useRecovery ? (
        <Field label="Recovery code">
          <input name="recoveryCode" autoComplete="off" required value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
        </Field>
      ) : (
        <Field label="Authentication code">
          <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]{6,7}" maxLength={7} required value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
        </Field>
      )}
      <ErrorMessage message={error} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Checking…' : 'Verify'}
      </button>
      <button
        type="button"
        className="link"
        onClick={() => {
          setUseRecovery(!useRecovery);
          setValue('');
          setError(null);
        }}
      >
        {useRecovery ? 'Use a code from the app instead' : 'Use a recovery code'}
      </button>
    </form>
  );
}
