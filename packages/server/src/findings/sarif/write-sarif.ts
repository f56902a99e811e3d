import type { FindingRecord, FindingSeverity } from '../finding-model.js';
import { SARIF_SCHEMA_ID } from './sarif-schema-id.js';

/** What the exported log says about the report it comes from. */
export interface SarifExportSource {
  reportId: string;
  projectName: string;
  projectVersion: string;
  reportType: string;
  /** The analysis date (ISO 8601). */
  date: string;
}

export interface ExportRule {
  id: string;
  name: string | null;
  cwe: readonly number[];
  owasp: readonly string[];
}

const LEVEL: Readonly<Record<FindingSeverity, string>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'none' };
/** GitHub's `security-severity` score per severity; read back by read-sarif.ts into the same severity. */
const SECURITY_SEVERITY: Readonly<Record<FindingSeverity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', info: '0.0' };

/**
 * A report's findings as a SARIF 2.1.0 log, produced piece by piece: the rules first (known
 * before the results), then one result at a time, so a report of any size is written with flat
 * memory. The output validates against the OASIS schema (write-sarif.test.ts checks it).
 */
export async function* writeSarif(source: SarifExportSource, rules: readonly ExportRule[], findings: AsyncIterable<FindingRecord>): AsyncGenerator<string> {
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const driver = {
    name: 'Arkiv',
    rules: rules.map(ruleOf),
  };
  const run = {
    tool: { driver },
    automationDetails: { id: `${source.projectName}/${source.projectVersion}/${source.reportType}/`, guid: source.reportId },
    invocations: [{ executionSuccessful: true, endTimeUtc: new Date(Date.parse(source.date)).toISOString() }],
    properties: { projectName: source.projectName, projectVersion: source.projectVersion, reportType: source.reportType },
  };
  const head = JSON.stringify({ $schema: SARIF_SCHEMA_ID, version: '2.1.0', runs: [run] });
  // Splice the results array into the run: everything up to the run's closing brace, then results.
  yield `${head.slice(0, -3)},"results":[`;
  let first = true;
  for await (const finding of findings) {
    yield (first ? '' : ',') + JSON.stringify(resultOf(finding, ruleIndex.get(finding.ruleId)));
    first = false;
  }
  yield ']}]}\n';
}

function ruleOf(rule: ExportRule) {
  const tags = [...rule.cwe.map((n) => `external/cwe/cwe-${n}`), ...rule.owasp.map((id) => `owasp-top10-2021:${id.toLowerCase()}`)];
  return {
    id: rule.id,
    ...(rule.name ? { name: rule.name, shortDescription: { text: rule.name } } : {}),
    ...(tags.length > 0 ? { properties: { tags } } : {}),
  };
}

function resultOf(f: FindingRecord, ruleIndex: number | undefined) {
  return {
    ruleId: f.ruleId,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    kind: f.status === 'fixed' ? 'pass' : 'fail',
    level: f.status === 'fixed' ? 'none' : LEVEL[f.severity],
    message: { text: f.message === '' ? f.ruleId : f.message },
    ...(f.file !== null ? { locations: [locationOf(f.file, f.line)] } : {}),
    partialFingerprints: f.partialFingerprints ?? { 'arkiv/v1': f.fingerprint },
    ...(f.status === 'accepted' || f.status === 'false_positive'
      ? { suppressions: [{ kind: 'external', status: 'accepted', ...(f.status === 'false_positive' ? { justification: 'false positive' } : {}) }] }
      : {}),
    properties: {
      'security-severity': SECURITY_SEVERITY[f.severity],
      severity: f.severity,
      status: f.status,
      findingKind: f.kind,
      ...(f.cwe.length > 0 || f.owasp.length > 0 ? { tags: [...f.cwe.map((n) => `external/cwe/cwe-${n}`), ...f.owasp.map((id) => `owasp-top10-2021:${id.toLowerCase()}`)] } : {}),
    },
  };
}

function locationOf(file: string, line: number | null) {
  return { physicalLocation: { artifactLocation: { uri: asUriReference(file) }, ...(line !== null && line >= 1 ? { region: { startLine: line } } : {}) } };
}

/** A path with characters a URI reference cannot hold (spaces, say) is percent-encoded; a valid one is kept as it is. */
function asUriReference(path: string): string {
  return /[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/.test(path) ? encodeURI(path) : path;
}
