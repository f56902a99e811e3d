import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { Field } from './Field.tsx';
import { ErrorMessage, Notice } from './Status.tsx';
import { passwordErrors } from './account-rules.ts';
import { SessionsSection } from './SessionsSection.tsx';
import { DeleteAccountSection } from './DeleteAccountSection.tsx';
import { TotpSection } from './TotpSection.tsx';

/** Change password (the server ends every other session of this account), two-factor authentication, see or end sessions, delete the account. */
export function AccountPage({ email, totpEnabled, onSessionChanged, onDeleted }: { email: string; totpEnabled: boolean; onSessionChanged: () => void; onDeleted: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<ReturnType<typeof passwordErrors>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setDone(false);
    const found = passwordErrors(current, next, repeat);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      await api.post('/api/auth/password', { currentPassword: current, newPassword: next });
      setDone(true);
      setCurrent('');
      setNext('');
      setRepeat('');
    } catch (caught) {
      setFailure(errorMessage(caught));
    }
  };
  const input = (value: string, set: (v: string) => void, key: keyof typeof errors, autoComplete: string) => (
    <input type="password" autoComplete={autoComplete} value={value} aria-invalid={errors[key] ? true : undefined} aria-describedby={errors[key] ? `account-${key}-error` : undefined} onChange={(e) => set(e.target.value)} />
  );
  return (
    <section aria-labelledby="account-title" className="stack">
      <h1 id="account-title">Account</h1>
      <form className="card stack narrow-form" onSubmit={submit} noValidate aria-label="Change password">
        <h2>Change password</h2>
        <p className="hint">Signed in as {email}. Changing the password signs out your other sessions.</p>
        <Field label="Current password" error={errors.current} errorId="account-current-error">
          {input(current, setCurrent, 'current', 'current-password')}
        </Field>
        <Field label="New password" error={errors.next} errorId="account-next-error">
          {input(next, setNext, 'next', 'new-password')}
        </Field>
        <Field label="Repeat new password" error={errors.repeat} errorId="account-repeat-error">
          {input(repeat, setRepeat, 'repeat', 'new-password')}
        </Field>
        <ErrorMessage message={failure} />
        {done ? <Notice>Password changed.</Notice> : null}
        <button type="submit" className="primary">
          Change password
        </button>
      </form>
      <TotpSection enabled={totpEnabled} onChanged={onSessionChanged} />
      <SessionsSection />
      <DeleteAccountSection onDeleted={onDeleted} />
    </section>
  );
}
