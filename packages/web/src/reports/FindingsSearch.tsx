import { useState, type FormEvent } from 'react';
import { api, withQuery } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { FindingsSearch as SearchResult } from '../lib/types.ts';
import { Empty, ErrorMessage } from '../components/Status.tsx';
import { searchParameters } from './findings-query.ts';
import { FindingList } from './FindingList.tsx';

type Group = SearchResult['groups'][number];

/** One box: "CWE-89", a rule id or a file path; matches across every version, grouped by version in semver order. */
export function FindingsSearch({ orgId }: { orgId: string }) {
  const [text, setText] = useState('');
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [query, setQuery] = useState<Record<string, string> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (params: Record<string, string>, after: string | null, previous: Group[]) => {
    setBusy(true);
    setError(null);
    try {
      const page = await api.get<SearchResult>(withQuery(`/api/orgs/${orgId}/findings`, { ...params, limit: 100, cursor: after }));
      // A version split across two pages continues in the group already shown.
      const merged = [...previous];
      for (const group of page.groups) {
        const last = merged[merged.length - 1];
        if (last && last.projectName === group.projectName && last.projectVersion === group.projectVersion) merged[merged.length - 1] = { ...last, findings: [...last.findings, ...group.findings] };
        else merged.push(group);
      }
      setGroups(merged);
      setCursor(page.nextCursor);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = searchParameters(text);
    if (!params) return setError('Enter a CWE (CWE-89), a rule id or a file path');
    setQuery(params);
    void load(params, null, []);
  };

  return (
    <section aria-labelledby="findings-search-title" className="card">
      <h2 id="findings-search-title">Search findings</h2>
      <form className="filters" onSubmit={submit} aria-label="Search findings">
        <label>
          Find
          <input name="findings-query" value={text} placeholder="CWE-89, a rule id or a file path" onChange={(e) => setText(e.target.value)} />
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary" disabled={busy}>
            Search
          </button>
        </div>
      </form>
      <ErrorMessage message={error} />
      {groups && groups.length === 0 ? <Empty>No findings match.</Empty> : null}
      {groups?.map((group) => (
        <section key={`${group.projectName} ${group.projectVersion}`} aria-label={`${group.projectName} ${group.projectVersion}`}>
          <h3>
            {group.projectName} {group.projectVersion} <span className="hint">({group.findings.length})</span>
          </h3>
          <FindingList findings={group.findings} label={`Findings of ${group.projectName} ${group.projectVersion}`} />
        </section>
      ))}
      {cursor && query ? (
        <button type="button" disabled={busy} onClick={() => void load(query, cursor, groups ?? [])}>
          More findings
        </button>
      ) : null}
    </section>
  );
}
