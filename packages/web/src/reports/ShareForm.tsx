import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { CreatedShare } from '../lib/types.ts';
import { Field } from '../components/Field.tsx';
import { ErrorMessage } from '../components/Status.tsx';
import { CopyField } from '../integrations/CopyField.tsx';
import { shareExpiry } from './share-expiry.ts';

/**
 * Share the selected reports with someone who has no account: how long the link works and a note
 * for the organisation's list, then the link itself with a Copy button. The link is shown this
 * once: the server keeps only its hash.
 */
export function ShareForm({ orgId, reportIds, onClose }: { orgId: string; reportIds: readonly string[]; onClose: () => void }) {
  const [days, setDays] = useState('30');
  const [note, setNote] = useState('');
  const [created, setCreated] = useState<CreatedShare | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const expiry = shareExpiry(days, Date.now());
    if (typeof expiry !== 'string') return setError(expiry.error);
    setBusy(true);
    try {
      setCreated(await api.post<CreatedShare>(`/api/orgs/${orgId}/shares`, { reports: reportIds, expiresAt: expiry, note: note.trim() }));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <section className="card share-form" aria-labelledby="share-created-title">
        <h2 id="share-created-title">Share link created</h2>
        <p>
          Anyone with this link can see and download {reportIds.length === 1 ? 'this report' : `these ${reportIds.length} reports`} until{' '}
          {created.expiresAt.slice(0, 16).replace('T', ' ')} UTC, without signing in. Copy it now: it is shown only once. Revoke it in Settings → Share links.
        </p>
        <CopyField label="Share link" value={created.url} what="Share link" />
        <button type="button" onClick={onClose}>
          Done
        </button>
      </section>
    );
  }
  return (
    <form className="card share-form" aria-labelledby="share-title" onSubmit={submit}>
      <h2 id="share-title">
        Share {reportIds.length} report{reportIds.length === 1 ? '' : 's'} through a link
      </h2>
      <p className="hint">The link opens a read-only page with these reports and a ZIP download; no account needed. It stops working when it expires or is revoked.</p>
      <div className="inline-form">
        <Field label="Valid for (days)">
          <input type="number" min={1} max={90} step={1} value={days} onChange={(e) => setDays(e.target.value)} />
        </Field>
        <Field label="Note (who it is for)">
          <input value={note} maxLength={500} placeholder="External audit 2026" onChange={(e) => setNote(e.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          Create link
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      <ErrorMessage message={error} />
    </form>
  );
}
