import { useState, type FormEvent } from 'react';
import { Field } from '../components/Field.tsx';
import { connectionBody, formValuesOf, validateConnection, type ConnectionFormErrors, type ConnectionFormValues } from './connection-form.ts';
import { KIND_NAMES, type Connection, type ConnectionInput, type ConnectionKind } from './integration-types.ts';

/** Create or edit one connection. The SonarQube token is write-only: editing shows only whether one is stored. */
export function ConnectionForm({ kind, connection, onSubmit, onCancel }: { kind: ConnectionKind; connection: Connection | null; onSubmit: (input: ConnectionInput) => Promise<void>; onCancel: () => void }) {
  const [values, setValues] = useState<ConnectionFormValues>(() => formValuesOf(connection));
  const [errors, setErrors] = useState<ConnectionFormErrors>({});
  const [busy, setBusy] = useState(false);
  const editing = connection !== null;
  const title = `${editing ? 'Edit' : 'Add'} ${KIND_NAMES[kind]} connection`;
  const set = (field: keyof ConnectionFormValues) => (event: { target: { value: string } }) => setValues({ ...values, [field]: event.target.value });
  const errorId = (field: string) => `${kind}-${connection?.id ?? 'new'}-${field}-error`;
  const described = (field: keyof ConnectionFormValues) => (errors[field] ? { 'aria-describedby': errorId(field), 'aria-invalid': true } : {});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateConnection(kind, values, connection?.serverUrl ?? undefined);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await onSubmit(connectionBody(kind, values));
    } catch {
      // The page shows the API's message; the form keeps what was typed.
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card webhook-form" aria-label={title} onSubmit={submit} noValidate>
      <h2>{title}</h2>
      <Field label="Connection name" error={errors.name} errorId={errorId('name')}>
        <input value={values.name} maxLength={200} placeholder={kind === 'sonarqube' ? 'SonarQube (production)' : 'Nexus IQ'} onChange={set('name')} {...described('name')} />
      </Field>
      {kind === 'sonarqube' ? (
        <>
          <Field label="SonarQube server URL" error={errors.serverUrl} errorId={errorId('serverUrl')}>
            <input type="url" value={values.serverUrl} placeholder="https://sonarqube.example.com" onChange={set('serverUrl')} {...described('serverUrl')} />
          </Field>
          <Field label={editing ? 'New SonarQube token (leave empty to keep the stored one)' : 'SonarQube token'} error={errors.token} errorId={errorId('token')}>
            <input type="password" autoComplete="off" value={values.token} onChange={set('token')} {...described('token')} />
          </Field>
          {editing ? <p className="hint">{connection.hasToken ? 'A token is stored (encrypted; it is never shown).' : 'No token is stored: imports will fail until you set one.'}</p> : null}
          <Field label="Projects (one “project key = Arkiv project name” per line; empty accepts every project)" error={errors.projects} errorId={errorId('projects')}>
            <textarea rows={3} value={values.projects} placeholder="acme-shop = ACME Shop" onChange={set('projects')} {...described('projects')} />
          </Field>
        </>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {editing ? 'Save connection' : 'Create connection'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
