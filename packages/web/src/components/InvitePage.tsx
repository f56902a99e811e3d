import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { navigate, orgPath } from '../lib/router.tsx';
import type { InvitationPreview, Session } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { ErrorMessage, Loading } from './Status.tsx';
import { MfaLoginStep, mfaTokenOf } from './MfaLoginStep.tsx';

const ROLE_NAMES = { owner: 'an Owner', admin: 'an Administrator', member: 'a Member' } as const;

/**
 * /invite/{token}: what the invitation offers, then accept it. A new email chooses its password
 * here; an existing account enters its own (or, signed in as that email, just accepts).
 */
export function InvitePage({ token, session, onAccepted }: { token: string; session: Session | null; onAccepted: (session: Session) => void }) {
  const invitation = useLoad(() => api.get<InvitationPreview>(`/api/invitations/${encodeURIComponent(token)}`, { quiet401: true }), [token]);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // An existing account with TOTP on: the password alone does not sign in; the code comes first.
  const [mfaToken, setMfaToken] = useState<string | null>(null);

  if (invitation.loading && !invitation.data) return <Loading what="the invitation" />;
  if (!invitation.data) {
    return (
      <main className="login">
        <section className="card">
          <h1>Invitation</h1>
          <ErrorMessage message={invitation.error ?? 'This invitation cannot be used.'} />
        </section>
      </main>
    );
  }
  const offer = invitation.data;
  const signedInAs = session?.user.email;
  const needsPassword = signedInAs !== offer.email;
  const acceptWith = async (body: { password?: string }) => {
    setBusy(true);
    setError(null);
    try {
      const accepted = await api.post<Session>(`/api/invitations/${encodeURIComponent(token)}/accept`, body);
      onAccepted(accepted);
      const joined = accepted.memberships.find((m) => m.orgName === offer.orgName) ?? accepted.memberships[0];
      navigate(joined ? orgPath(joined.orgId) : '/', { replace: true });
    } catch (caught) {
      setMfaToken(mfaTokenOf(caught));
      if (!mfaTokenOf(caught)) setError(errorMessage(caught));
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void acceptWith(needsPassword ? { password } : {});
  };
  if (mfaToken) {
    // Signed in by the code, the account accepts as itself (no password).
    const signedIn = (next: Session) => {
      onAccepted(next);
      setMfaToken(null);
      void acceptWith({});
    };
    const restart = (message: string) => {
      setMfaToken(null);
      setError(message);
    };
    return (
      <main className="login">
        <MfaLoginStep mfaToken={mfaToken} onLogin={signedIn} onRestart={restart} />
      </main>
    );
  }
  return (
    <main className="login">
      <form className="card" onSubmit={submit} aria-labelledby="invite-title">
        <h1 id="invite-title">Join {offer.orgName}</h1>
        <p>
          {offer.email} is invited to {offer.orgName} as {ROLE_NAMES[offer.role]}.
        </p>
        {signedInAs && signedInAs !== offer.email ? <p role="alert">You are signed in as {signedInAs}: sign out first to accept this invitation for {offer.email}.</p> : null}
        {needsPassword ? (
          <label>
            {offer.accountExists ? 'Password of your account' : 'Choose a password (12 characters or more)'}
            <input
              type="password"
              name="password"
              autoComplete={offer.accountExists ? 'current-password' : 'new-password'}
              minLength={offer.accountExists ? undefined : 12}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoFocus
            />
          </label>
        ) : null}
        <ErrorMessage message={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Joining…' : 'Accept and sign in'}
        </button>
      </form>
    </main>
  );
}
