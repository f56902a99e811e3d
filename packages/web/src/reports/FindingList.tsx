import type { Finding } from '../lib/types.ts';
import { findingPlace } from './findings-query.ts';

/** Findings as a table: severity, rule, where, CWE and status. */
export function FindingList({ findings, label }: { findings: readonly Finding[]; label: string }) {
  return (
    <div className="table-scroll">
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Rule</th>
            <th scope="col">Location</th>
            <th scope="col">CWE</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {findings.map((f) => (
            <tr key={`${f.reportId}-${f.fingerprint}`}>
              <td>{f.severity}</td>
              <td title={f.message}>{f.ruleName ? `${f.ruleId} (${f.ruleName})` : f.ruleId}</td>
              <td>{findingPlace(f)}</td>
              <td>{f.cwe.join(', ')}</td>
              <td>{f.status.replace('_', ' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
