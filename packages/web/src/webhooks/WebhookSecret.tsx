import { useState } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ErrorMessage } from '../components/Status.tsx';
import { Field } from '../components/Field.tsx';
import { webhookUrl } from './webhook-types.ts';

/**
 * The signing secret stays hidden until an administrator asks for it. Rotation keeps the old
 * secret valid for the server's grace period (both signatures are sent), so consumers can switch.
 */
export function WebhookSecret({ orgId, webhookId, initialSecret }: { orgId: string; webhookId: string; initialSecret: string | null }) {
  const [secret, setSecret] = useState<string | null>(initialSecret);
  const [note, setNote] = useState<string | null>(initialSecret ? 'Copy the secret now; you can reveal it again later.' : null);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<{ secret: string }>, message: string) => {
    setError(null);
    try {
      setSecret((await work()).secret);
      setNote(message);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <div className="secret">
      <Field label="Signing secret">
        <input readOnly className="mono" value={secret ?? '••••••••••••••••'} onFocus={(e) => secret && e.target.select()} />
      </Field>
      <div className="actions">
        {secret ? (
          <button type="button" onClick={() => { setSecret(null); setNote(null); }}>
            Hide secret
          </button>
        ) : (
          <button type="button" onClick={() => void run(() => api.get(`${webhookUrl(orgId, webhookId)}/secret`), 'Secret revealed.')}>
            Reveal secret
          </button>
        )}
        <ConfirmButton
          label="Rotate secret"
          confirmLabel="Rotate now"
          onConfirm={() => void run(() => api.post(`${webhookUrl(orgId, webhookId)}/secret/rotate`), 'New secret: the previous one stays valid during the grace period.')}
        />
      </div>
      {note ? <p className="hint" role="status">{note}</p> : null}
      <ErrorMessage message={error} />
    </div>
  );
}
