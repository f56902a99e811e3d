import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { Field } from '../components/Field.tsx';
import { ErrorMessage, Notice } from '../components/Status.tsx';
import { importBody } from './connection-form.ts';
import { connectionUrl, type Connection, type ImportResult } from './integration-types.ts';

/** "Import now": reads the project's latest analysis from SonarQube and stores the two reports. */
export function ImportForm({ orgId, connection, onImported }: { orgId: string; connection: Connection; onImported: () => void }) {
  const keys = Object.keys(connection.projects);
  const [values, setValues] = useState({ projectKey: keys[0] ?? '', branch: '', version: '' });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setResult(null);
    if (values.projectKey.trim() === '') return setError('Enter the SonarQube project key');
    setBusy(true);
    try {
      setResult(await api.post<ImportResult>(`${connectionUrl(orgId, 'sonarqube', connection.id)}/import`, importBody(values)));
      onImported();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  const listId = `projects-${connection.id}`;
  return (
    <form className="inline-form" aria-label={`Import from ${connection.name}`} onSubmit={submit}>
      <Field label="Project key">
        <input value={values.projectKey} list={keys.length ? listId : undefined} onChange={(e) => setValues({ ...values, projectKey: e.target.value })} />
      </Field>
      {keys.length ? (
        <datalist id={listId}>
          {keys.map((key) => (
            <option key={key} value={key} />
          ))}
        </datalist>
      ) : null}
      <Field label="Branch (default: main)">
        <input value={values.branch} onChange={(e) => setValues({ ...values, branch: e.target.value })} />
      </Field>
      <Field label="Version (default: the analysed version)">
        <input value={values.version} onChange={(e) => setValues({ ...values, version: e.target.value })} />
      </Field>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Importing…' : 'Import now'}
      </button>
      <ErrorMessage message={error} />
      {result ? (
        <Notice>
          Imported {result.reports.map((r) => `${r.reportType} ${r.reportVersion} (${r.projectName} ${r.projectVersion}: ${r.vulnerabilitiesCount} vulnerabilities, rating ${r.securityRating})`).join('; ')}
          {result.sonarqubePdf ? ". The PDFs are SonarQube's own security reports." : '.'}
        </Notice>
      ) : null}
    </form>
  );
}
