import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Field } from '../components/Field.tsx';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { AuditAction, AuditEntry, AuditPage as AuditPageBody } from '../lib/types.ts';
import { ACTION_LABELS, auditUrl, describeDetails, NO_AUDIT_FILTERS, type AuditFilters } from './audit-query.ts';

const when = (iso: string) => iso.slice(0, 19).replace('T', ' ');

function actorText(actor: AuditEntry['actor']): string {
  if (actor.kind === 'anonymous') return 'Anonymous';
  if (actor.kind === 'system') return actor.label === 'cli' ? 'Command line' : 'System';
  const name = actor.label ?? actor.id ?? '';
  return actor.kind === 'user' ? name : `${actor.kind === 'token' ? 'Token' : 'Share link'} ${name}`;
}

/**
 * The organisation's audit log for Administrators and Owners: newest first, filtered on the
 * server, "Load more" follows the cursor, and the exports are plain links to the same filters.
 */
export function AuditPage({ orgId }: { orgId: string }) {
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const [draft, setDraft] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // An answer for filters no longer shown is dropped.
  const generation = useRef(0);

  const load = async (applied: AuditFilters, after: string | null) => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<AuditPageBody>(auditUrl(orgId, applied, { cursor: after }));
      if (mine !== generation.current) return;
      setEntries((shown) => (after === null || !shown ? page.entries : [...shown, ...page.entries]));
      setCursor(page.nextCursor);
    } catch (caught) {
      if (mine === generation.current) setError(errorMessage(caught));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  useEffect(() => {
    setEntries(null);
    void load(filters, null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [orgId, filters]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <p className="hint">
        Every download, report change, sign-in and administrative change, chained by SHA-256 so that an edited or deleted entry is detectable
        (<code>arkiv audit verify --org {orgId}</code>).
      </p>
      <form className="filters" onSubmit={apply} aria-label="Audit filters">
        <Field label="From">
          <input type="datetime-local" step={1} value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </Field>
        <Field label="To">
          <input type="datetime-local" step={1} value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </Field>
        <Field label="Action">
          <select value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value as AuditAction | '' })}>
            <option value="">All actions</option>
            {Object.entries(ACTION_LABELS).map(([action, label]) => (
              <option key={action} value={action}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Actor">
          <input value={draft.actor} placeholder="user:<id>, token:<id>, anonymous" onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />
        </Field>
        <div className="filter-actions">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_AUDIT_FILTERS);
              setFilters(NO_AUDIT_FILTERS);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <div className="toolbar">
        <span>{entries ? `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} shown` : ''}</span>
        <span>
          Export: <a href={auditUrl(orgId, filters, { format: 'csv' })} download>CSV</a> · <a href={auditUrl(orgId, filters, { format: 'ndjson' })} download>NDJSON</a>
        </span>
      </div>
      <ErrorMessage message={error} onRetry={() => void load(filters, entries && cursor ? cursor : null)} />
      {entries === null && loading ? <Loading what="the audit log" /> : null}
      {entries && entries.length === 0 ? <Empty>No entries match.</Empty> : null}
      {entries && entries.length > 0 ? (
        <div className="table-scroll">
          <table aria-label="Audit entries">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Address</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.seq}>
                  <td className="mono" title={`SHA-256 ${entry.hash}`}>
                    {entry.seq}
                  </td>
                  <td>{when(entry.at)}</td>
                  <td>{ACTION_LABELS[entry.action as AuditAction] ?? entry.action}</td>
                  <td title={entry.actor.id ?? undefined}>{actorText(entry.actor)}</td>
                  <td className="mono">{entry.address ?? '—'}</td>
                  <td className="details">{describeDetails(entry.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {cursor ? (
        <button type="button" onClick={() => void load(filters, cursor)} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </section>
  );
}
