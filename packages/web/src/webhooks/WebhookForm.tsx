import { useState, type FormEvent } from 'react';
import { Field } from '../components/Field.tsx';
import { draftFrom, inputFrom, NEW_WEBHOOK, validateDraft, type DraftErrors, type WebhookDraft } from './webhook-form.ts';
import { REPORT_EVENTS, SIGNATURE_SCHEMES, type Webhook, type WebhookInput } from './webhook-types.ts';

const SCHEME_TEXT: Record<string, string> = {
  arkiv: 'Arkiv (X-Arkiv-Webhook-Signature, HMAC-SHA256)',
  'standard-webhooks': 'Standard Webhooks (webhook-signature)',
  'nexus-iq': 'Nexus IQ compatible (X-Nexus-Webhook-Signature)',
};

/** Add or edit one endpoint: URL, events, filters, signature scheme, retry policy. */
export function WebhookForm({ webhook, onSubmit, onCancel }: { webhook: Webhook | null; onSubmit: (input: WebhookInput) => Promise<void>; onCancel: () => void }) {
  const [draft, setDraft] = useState<WebhookDraft>(webhook ? draftFrom(webhook) : NEW_WEBHOOK);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof WebhookDraft>(name: K, value: WebhookDraft[K]) => setDraft({ ...draft, [name]: value });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateDraft(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await onSubmit(inputFrom(draft));
    } finally {
      setBusy(false);
    }
  };
  const error = (name: keyof WebhookDraft) =>
    errors[name] ? (
      <span className="field-error" id={`webhook-${name}-error`}>
        {errors[name]}
      </span>
    ) : null;
  const toggleEvent = (type: string) => set('events', draft.events.includes(type) ? draft.events.filter((e) => e !== type) : [...draft.events, type]);

  return (
    <form className="card webhook-form" onSubmit={submit} noValidate aria-labelledby="webhook-form-title">
      <h2 id="webhook-form-title">{webhook ? 'Edit webhook' : 'Add webhook'}</h2>
      <Field label="Payload URL" error={errors.url} errorId="webhook-url-error">
        <input type="url" value={draft.url} placeholder="https://example.com/arkiv" aria-invalid={errors.url ? true : undefined} aria-describedby={errors.url ? 'webhook-url-error' : undefined} onChange={(e) => set('url', e.target.value)} />
      </Field>
      <Field label="Description">
        <input value={draft.description} maxLength={500} onChange={(e) => set('description', e.target.value)} />
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} />
        Enabled
      </label>
      <fieldset aria-describedby={errors.events ? 'webhook-events-error' : undefined}>
        <legend>Events</legend>
        {REPORT_EVENTS.map((type) => (
          <label key={type} className="checkbox">
            <input type="checkbox" checked={draft.events.includes(type)} onChange={() => toggleEvent(type)} />
            {type}
          </label>
        ))}
        {error('events')}
      </fieldset>
      <fieldset>
        <legend>Filters (optional)</legend>
        <label>
          Only these projects (comma-separated)
          <input value={draft.projectNames} onChange={(e) => set('projectNames', e.target.value)} />
        </label>
        <label>
          Only these report types (comma-separated)
          <input value={draft.reportTypes} onChange={(e) => set('reportTypes', e.target.value)} />
        </label>
      </fieldset>
      <Field label="Signature scheme">
        <select value={draft.signatureScheme} onChange={(e) => set('signatureScheme', e.target.value as WebhookDraft['signatureScheme'])}>
          {SIGNATURE_SCHEMES.map((scheme) => (
            <option key={scheme} value={scheme}>
              {SCHEME_TEXT[scheme]}
            </option>
          ))}
        </select>
      </Field>
      {webhook && draft.signatureScheme !== webhook.signatureScheme ? (
        <p className="hint" role="note">
          The secret keeps its current form. After saving, rotate the secret to get one made for this scheme{draft.signatureScheme === 'standard-webhooks' ? ' (whsec_…)' : ''}, and give it to the receiver.
        </p>
      ) : null}
      {draft.signatureScheme === 'nexus-iq' ? (
        <Field label="Nexus IQ algorithm">
          <select value={draft.signatureAlgorithm} onChange={(e) => set('signatureAlgorithm', e.target.value as WebhookDraft['signatureAlgorithm'])}>
            <option value="HmacSHA256">HmacSHA256</option>
            <option value="HmacSHA1">HmacSHA1</option>
          </select>
        </Field>
      ) : null}
      <fieldset>
        <legend>Retries</legend>
        <Field label="Retry policy">
          <select value={draft.retryStrategy} onChange={(e) => set('retryStrategy', e.target.value as WebhookDraft['retryStrategy'])}>
            <option value="default">Server default (hourly)</option>
            <option value="fixed">Fixed interval</option>
            <option value="exponential">Exponential (1 min doubling to 1 h)</option>
          </select>
        </Field>
        {draft.retryStrategy === 'fixed' ? (
          <Field label="Interval (minutes)" error={errors.retryIntervalMinutes} errorId="webhook-retryIntervalMinutes-error">
            <input inputMode="numeric" value={draft.retryIntervalMinutes} aria-describedby={errors.retryIntervalMinutes ? 'webhook-retryIntervalMinutes-error' : undefined} onChange={(e) => set('retryIntervalMinutes', e.target.value)} />
          </Field>
        ) : null}
        {draft.retryStrategy !== 'default' ? (
          <Field label="Give up after (hours, 0 = no retries)" error={errors.retryHorizonHours} errorId="webhook-retryHorizonHours-error">
            <input inputMode="numeric" value={draft.retryHorizonHours} aria-describedby={errors.retryHorizonHours ? 'webhook-retryHorizonHours-error' : undefined} onChange={(e) => set('retryHorizonHours', e.target.value)} />
          </Field>
        ) : null}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {webhook ? 'Save webhook' : 'Create webhook'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
