import { useState } from 'react';
import { request } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { Field } from './Field.tsx';
import { ErrorMessage } from './Status.tsx';

/**
 * Deletes the signed-in account after the password and a confirmation. The server refuses the last
 * owner of an organisation (409 last_owner); its message says what to do.
 */
export function DeleteAccountSection({ onDeleted }: { onDeleted: () => void }) {
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const remove = async () => {
    setFailure(null);
    setBusy(true);
    try {
      await request('DELETE', '/api/auth/me', { password });
      onDeleted();
    } catch (caught) {
      setFailure(errorMessage(caught));
      setBusy(false);
    }
  };
  return (
    <section className="card stack narrow-form" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">Delete my account</h2>
      <p className="hint">Removes you from every organisation and signs you out everywhere. Organisation data stays. The last owner of an organisation must first make someone else an owner.</p>
      <Field label="Password to confirm">
        <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </Field>
      <ErrorMessage message={failure} />
      <div>
        <ConfirmButton label="Delete my account" confirmLabel="Yes, delete my account" disabled={busy || password === ''} onConfirm={() => void remove()} />
      </div>
    </section>
  );
}
