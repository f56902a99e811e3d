import { useMemo, useState } from 'react';
import { api, withQuery } from '../lib/api.ts';
import { ticks } from '../lib/chart.ts';
import { barLabel, isPrerelease, layoutTrend, stackKeys, type TrendAxis, type TrendStack } from '../lib/trend-chart.ts';
import type { FindingTrends, Report } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { projectNames } from './findings-query.ts';

const WIDTH = 560;
const HEIGHT = 240;
const PLOT = { left: 40, right: WIDTH - 12, top: 12, bottom: HEIGHT - 40 };

const AXES: Array<[TrendAxis, string]> = [['versions', 'By version'], ['time', 'Over time']];
const STACKS: Array<[TrendStack, string]> = [['severity', 'Severity'], ['category', 'OWASP category']];

/**
 * Open findings of one product across its versions, stacked by severity or OWASP category. Plain
 * SVG scaled by its viewBox (fits 390 px and 1280 px alike); the same counts are in a table for
 * screen readers, and each bar's tooltip says them in words.
 */
export function FindingsTrends({ orgId, reports }: { orgId: string; reports: readonly Report[] }) {
  const products = useMemo(() => projectNames(reports), [reports]);
  const [project, setProject] = useState('');
  const chosen = products.includes(project) ? project : products[0] ?? '';
  const [axis, setAxis] = useState<TrendAxis>('versions');
  const [stack, setStack] = useState<TrendStack>('severity');
  const trends = useLoad(
    () => (chosen ? api.get<FindingTrends>(withQuery(`/api/orgs/${orgId}/findings/trends`, { project: chosen })) : Promise.resolve(null)),
    [orgId, chosen],
  );
  const versions = trends.data?.projectName === chosen ? trends.data.versions : [];
  const layout = useMemo(() => layoutTrend(versions, { axis, stack }, PLOT), [versions, axis, stack]);
  if (products.length === 0) return null;
  const countTicks = ticks(layout.maxCount);
  const tickY = (value: number) => PLOT.bottom - (value / layout.maxCount) * (PLOT.bottom - PLOT.top);
  const keyClass = (key: string) => `${stack === 'severity' ? 'sev' : 'cat'}-${key}`;
  const tableKeys = stackKeys(versions, stack);

  return (
    <section aria-labelledby="findings-trends-title" className="card trends">
      <h2 id="findings-trends-title">Findings trend</h2>
      <form className="filters" aria-label="Findings trend" onSubmit={(e) => e.preventDefault()}>
        <label>
          Product
          <select value={chosen} onChange={(e) => setProject(e.target.value)}>
            {products.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>Across</legend>
          {AXES.map(([value, text]) => (
            <label key={value} className="checkbox">
              <input type="radio" name="trend-axis" value={value} checked={axis === value} onChange={() => setAxis(value)} /> {text}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Stack by</legend>
          {STACKS.map(([value, text]) => (
            <label key={value} className="checkbox">
              <input type="radio" name="trend-stack" value={value} checked={stack === value} onChange={() => setStack(value)} /> {text}
            </label>
          ))}
        </fieldset>
      </form>
      <ErrorMessage message={trends.error} onRetry={trends.reload} />
      {trends.loading && versions.length === 0 ? <Loading what="findings trend" /> : null}
      {!trends.loading && trends.data && versions.length === 0 ? <Empty>No findings recorded for {chosen}.</Empty> : null}
      {versions.length > 0 ? (
        <figure className="chart trend-chart">
          <figcaption id="trend-caption">
            Open findings of {chosen} {axis === 'versions' ? 'by version (semver order, * prerelease)' : 'over time'}, by {stack === 'severity' ? 'severity' : 'OWASP category'}
          </figcaption>
          <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="trend-caption" preserveAspectRatio="xMidYMid meet">
            {countTicks.map((value) => (
              <g key={value} className="tick">
                <line x1={PLOT.left} x2={PLOT.right} y1={tickY(value)} y2={tickY(value)} />
                <text x={PLOT.left - 6} y={tickY(value) + 4} textAnchor="end">
                  {value}
                </text>
              </g>
            ))}
            {layout.bars.map((bar) => (
              <g key={bar.version} className={bar.prerelease ? 'trend-bar prerelease' : 'trend-bar'} data-version={bar.version}>
                <title>{barLabel(bar)}</title>
                {bar.segments.map((s) => (
                  <rect key={s.key} className={`segment ${keyClass(s.key)}`} data-key={s.key} data-value={s.value} x={bar.x - bar.width / 2} y={s.y} width={bar.width} height={Math.max(0, s.height)} />
                ))}
              </g>
            ))}
            {layout.labels.map((label) => (
              <text key={`${label.x}-${label.text}`} className="version-label" x={label.x} y={PLOT.bottom + 16} textAnchor="middle">
                {label.text}
              </text>
            ))}
          </svg>
          <ul className="legend" aria-hidden="true">
            {layout.keys.map((key) => (
              <li key={key}>
                <span className={`swatch ${keyClass(key)}`} /> {key}
              </li>
            ))}
            {layout.bars.some((b) => b.prerelease) ? <li>* prerelease (lighter bar)</li> : null}
          </ul>
          <table className="visually-hidden" aria-label={`Open findings of ${chosen} by version`}>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Date</th>
                <th scope="col">Open findings</th>
                {tableKeys.map((key) => (
                  <th key={key} scope="col">
                    {key}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {layout.bars.map((bar) => {
                const counts = versions.find((v) => v.projectVersion === bar.version)!;
                const byKey = stack === 'severity' ? counts.bySeverity : counts.byCategory;
                return (
                  <tr key={bar.version}>
                    <th scope="row">{isPrerelease(bar.version) ? `${bar.version} (prerelease)` : bar.version}</th>
                    <td>{bar.date.slice(0, 10)}</td>
                    <td>{bar.total}</td>
                    {tableKeys.map((key) => (
                      <td key={key}>{byKey[key] ?? 0}</td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </figure>
      ) : null}
    </section>
  );
}
