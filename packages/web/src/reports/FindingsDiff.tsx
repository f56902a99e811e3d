import { useMemo, useState, type FormEvent } from 'react';
import { api, withQuery } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { FindingsDiff as DiffResult, Report } from '../lib/types.ts';
import { ErrorMessage } from '../components/Status.tsx';
import { projectNames, versionChoices } from './findings-query.ts';
import { FindingList } from './FindingList.tsx';

type Bucket = 'new' | 'fixed' | 'unchanged';

/** Pick a product and two of its versions (semver order, prereleases marked): what is new, fixed and unchanged. */
export function FindingsDiff({ orgId, reports }: { orgId: string; reports: readonly Report[] }) {
  const products = useMemo(() => projectNames(reports), [reports]);
  const [project, setProject] = useState('');
  const chosenProject = project || products[0] || '';
  const versions = useMemo(() => versionChoices(reports, chosenProject), [reports, chosenProject]);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const fromVersion = versions.some((v) => v.version === from) ? from : versions[versions.length - 2]?.version ?? '';
  const toVersion = versions.some((v) => v.version === to) ? to : versions[versions.length - 1]?.version ?? '';
  const [diff, setDiff] = useState<DiffResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const [busy, setBusy] = useState(false);
  const diffUrl = (query: Record<string, string>) => withQuery(`/api/orgs/${orgId}/findings/diff`, query);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      setDiff(await api.get<DiffResult>(diffUrl({ project: chosenProject, from: fromVersion, to: toVersion })));
    } catch (caught) {
      setDiff(null);
      setError(errorMessage(caught));
    }
  };
  // Each list pages on its own: a cursor brings the next page of its list and leaves the others as shown.
  const more = async (shown: DiffResult, bucket: Bucket) => {
    const cursor = shown.nextCursor[bucket];
    if (!cursor) return;
    setBusy(true);
    setError(null);
    try {
      const page = await api.get<DiffResult>(diffUrl({ project: shown.projectName, from: shown.from, to: shown.to, cursor }));
      setDiff((current) => (current === shown ? { ...shown, [bucket]: [...shown[bucket], ...page[bucket]], nextCursor: { ...shown.nextCursor, [bucket]: page.nextCursor[bucket] } } : current));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  if (products.length === 0) return null;
  const option = (v: { version: string; prerelease: boolean }) => (
    <option key={v.version} value={v.version}>
      {v.prerelease ? `${v.version} (prerelease)` : v.version}
    </option>
  );

  return (
    <section aria-labelledby="findings-diff-title" className="card">
      <h2 id="findings-diff-title">Compare versions</h2>
      <form className="filters" onSubmit={(e) => void submit(e)} aria-label="Compare versions">
        <label>
          Product
          <select value={chosenProject} onChange={(e) => setProject(e.target.value)}>
            {products.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          From version
          <select value={fromVersion} onChange={(e) => setFrom(e.target.value)}>
            {versions.map(option)}
          </select>
        </label>
        <label>
          To version
          <select value={toVersion} onChange={(e) => setTo(e.target.value)}>
            {versions.map(option)}
          </select>
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary" disabled={versions.length === 0}>
            Compare
          </button>
        </div>
      </form>
      <ErrorMessage message={error} />
      {diff ? (
        <div>
          <p role="status">
            {chosenProject} {diff.from} → {diff.to}: {diff.counts.new} new, {diff.counts.fixed} fixed, {diff.counts.unchanged} unchanged
          </p>
          {Object.keys(diff.byCwe).length > 0 ? (
            <p className="hint">
              {Object.entries(diff.byCwe)
                .map(([cwe, c]) => `${cwe}: +${c.new} −${c.fixed}`)
                .join(' · ')}
            </p>
          ) : null}
          {(['new', 'fixed', 'unchanged'] as const).map((bucket) =>
            diff[bucket].length > 0 ? (
              <section key={bucket} aria-label={`${bucket} findings`}>
                <h3>
                  {bucket[0]!.toUpperCase() + bucket.slice(1)} ({diff[bucket].length < diff.counts[bucket] ? `${diff[bucket].length} of ${diff.counts[bucket]}` : diff.counts[bucket]})
                </h3>
                <FindingList findings={diff[bucket]} label={`${bucket} findings`} />
                {diff.nextCursor[bucket] ? (
                  <button type="button" disabled={busy} onClick={() => void more(diff, bucket)}>
                    More {bucket} findings
                  </button>
                ) : null}
              </section>
            ) : null,
          )}
        </div>
      ) : null}
    </section>
  );
}
