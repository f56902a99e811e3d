import { AppError } from '../../http/errors.js';
import { clipText, contentFingerprint, cweNumber, partialFingerprintsKey, uniqueSorted, type FindingRecord, type FindingSeverity, type FindingStatus } from '../finding-model.js';
import { describeSchemaError, sarifValidators } from './sarif-schema.js';
import { walkSarif } from './sarif-stream.js';
import { StagedFindings, type Listing } from './staged-findings.js';

export interface SarifFindings {
  /** The log's findings, staged on disk in log order; the caller closes them. */
  findings: StagedFindings;
  /** The first run's tool name. */
  toolName: string;
  /** The first run's first invocation start time, when given (a SARIF-only upload's default date). */
  startTime: string | undefined;
}

export const invalidSarif = (message: string) => new AppError(400, 'invalid_sarif', `The sarif file is not valid SARIF 2.1.0: ${message}`);

/**
 * Reads a staged SARIF file: checks it against the OASIS SARIF 2.1.0 schema (each result alone as
 * it streams by, the rest of the log whole once the stream ends) and turns its results into
 * findings staged on disk (staged-findings.ts), so memory does not grow with the number of
 * results. Throws a 400 naming the first invalid path, and then keeps nothing; SARIF 1.0 and 2.0
 * logs are refused by name. `listingsOf` says where a finding appears in a rendered report.
 */
export async function readSarif(path: string, stagingDir: string, listingsOf: (finding: FindingRecord) => Listing[]): Promise<SarifFindings> {
  const validators = sarifValidators();
  const staged = await StagedFindings.open(stagingDir);
  try {
    let firstInvalid: string | undefined;
    let skeleton: Record<string, unknown>;
    try {
      skeleton = await walkSarif(path, (result, run, index) => {
        if (firstInvalid) return;
        if (!validators.result(result)) {
          firstInvalid = describeSchemaError(validators.result.errors, `/runs/${run}/results/${index}`);
          return;
        }
        staged.addResult(pendingOf(result as SarifResult, run));
      });
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw invalidSarif(`it is not JSON (${(error as Error).message})`);
    }
    if (skeleton === null || typeof skeleton !== 'object' || Array.isArray(skeleton)) throw invalidSarif('/: must be an object');
    const version = skeleton.version;
    if (version !== '2.1.0') {
      if (typeof version === 'string' && /^(1|2\.0)\b/.test(version)) {
        throw new AppError(400, 'unsupported_sarif_version', `SARIF ${version} is not supported: convert the log to SARIF 2.1.0 (e.g. with the SARIF multitool) and upload again`);
      }
      throw invalidSarif(`/version: must be "2.1.0"${typeof version === 'string' ? `, not "${version.slice(0, 40)}"` : ''}`);
    }
    if (!validators.log(skeleton)) throw invalidSarif(describeSchemaError(validators.log.errors));
    if (firstInvalid) throw invalidSarif(firstInvalid);
    const runs = skeleton.runs as SarifRun[];
    const rulesOfRun = runs.map(ruleLookup);
    staged.convert((p: PendingResult) => toFinding(p, rulesOfRun[p.run]!, runs[p.run]!), (f) => f.fingerprint, listingsOf);
    return { findings: staged, toolName: runs[0]?.tool.driver.name ?? 'SARIF', startTime: runs[0]?.invocations?.[0]?.startTimeUtc };
  } catch (error) {
    await staged.close();
    throw error;
  }
}

interface SarifMessage { text?: string; id?: string; arguments?: string[] }
interface SarifRelationship { target?: { id?: string; toolComponent?: { name?: string } } }
interface SarifProperties { tags?: string[]; 'security-severity'?: string | number; [key: string]: unknown }
interface SarifRule {
  id: string;
  name?: string;
  shortDescription?: { text?: string };
  messageStrings?: Record<string, { text?: string }>;
  defaultConfiguration?: { level?: string };
  relationships?: SarifRelationship[];
  properties?: SarifProperties;
}
interface SarifRun {
  tool: { driver: { name: string; rules?: SarifRule[] } };
  artifacts?: { location?: { uri?: string } }[];
  invocations?: { startTimeUtc?: string }[];
}
interface SarifResult {
  ruleId?: string;
  ruleIndex?: number;
  rule?: { id?: string; index?: number };
  message: SarifMessage;
  level?: string;
  kind?: string;
  baselineState?: string;
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string; index?: number }; region?: { startLine?: number } } }[];
  partialFingerprints?: Record<string, string>;
  suppressions?: { status?: string }[];
  taxa?: { id?: string; toolComponent?: { name?: string } }[];
  properties?: SarifProperties;
}

/** What a finding needs from a result, kept instead of the result while the rest of the log streams. */
interface PendingResult {
  run: number;
  ruleId: string | undefined;
  ruleIndex: number | undefined;
  message: SarifMessage;
  uri: string | undefined;
  artifactIndex: number | undefined;
  line: number | null;
  partial: Record<string, string> | null;
  level: string | undefined;
  kind: string | undefined;
  baselineState: string | undefined;
  suppressed: boolean;
  labels: string[];
  securitySeverity: string | number | undefined;
}

function pendingOf(r: SarifResult, run: number): PendingResult {
  const physical = r.locations?.[0]?.physicalLocation;
  return {
    run,
    ruleId: r.ruleId ?? r.rule?.id,
    ruleIndex: r.ruleIndex ?? r.rule?.index,
    message: r.message,
    uri: physical?.artifactLocation?.uri,
    artifactIndex: physical?.artifactLocation?.index,
    line: physical?.region?.startLine ?? null,
    partial: r.partialFingerprints && Object.keys(r.partialFingerprints).length > 0 ? r.partialFingerprints : null,
    level: r.level,
    kind: r.kind,
    baselineState: r.baselineState,
    // §3.35: a suppression whose status is absent or "accepted" suppresses; underReview and rejected do not.
    suppressed: (r.suppressions ?? []).some((s) => s.status === undefined || s.status === 'accepted'),
    labels: [...(r.properties?.tags ?? []), ...(r.taxa ?? []).flatMap(taxonLabel)],
    securitySeverity: r.properties?.['security-severity'],
  };
}

interface RuleLookup {
  byId: Map<string, SarifRule>;
  byIndex: readonly SarifRule[];
}

function ruleLookup(run: SarifRun): RuleLookup {
  const rules = run.tool.driver.rules ?? [];
  return { byId: new Map(rules.map((rule) => [rule.id, rule])), byIndex: rules };
}

function toFinding(p: PendingResult, rules: RuleLookup, run: SarifRun): FindingRecord {
  const rule = (p.ruleIndex !== undefined ? rules.byIndex[p.ruleIndex] : undefined) ?? (p.ruleId !== undefined ? rules.byId.get(p.ruleId) : undefined);
  const ruleId = p.ruleId ?? rule?.id ?? 'unknown';
  const uri = p.uri ?? (p.artifactIndex !== undefined ? run.artifacts?.[p.artifactIndex]?.location?.uri : undefined);
  const file = uri === undefined ? null : clipText(uri);
  const message = clipText(messageText(p.message, rule));
  const labels = [...p.labels, ...(rule?.properties?.tags ?? []), ...(rule?.relationships ?? []).flatMap((rel) => taxonLabel(rel.target ?? {}))];
  const cwe = uniqueSorted(labels.flatMap((label) => cweNumber(label) ?? []));
  const owasp = uniqueSorted(labels.flatMap((label) => owaspId(label) ?? []));
  const securitySeverity = p.securitySeverity ?? rule?.properties?.['security-severity'];
  return {
    fingerprint: p.partial ? partialFingerprintsKey(p.partial) : contentFingerprint(ruleId, file, p.line, message),
    ruleId: clipText(ruleId),
    ruleName: nullableText(rule?.name ?? rule?.shortDescription?.text),
    kind: cwe.length > 0 || owasp.length > 0 || securitySeverity !== undefined ? 'vulnerability' : 'issue',
    severity: severityOf(securitySeverity, p.level ?? rule?.defaultConfiguration?.level),
    status: statusOf(p),
    file,
    line: p.line,
    message,
    cwe,
    owasp,
    partialFingerprints: p.partial,
  };
}

const nullableText = (text: string | undefined): string | null => (text === undefined ? null : clipText(text));

/** A taxon reference as a label the CWE and OWASP patterns read: "CWE-79", "OWASP A03". */
function taxonLabel(ref: { id?: string; toolComponent?: { name?: string } }): string[] {
  if (!ref.id) return [];
  const component = (ref.toolComponent?.name ?? '').toUpperCase();
  if (component === 'CWE') return [/^\d+$/.test(ref.id) ? `CWE-${ref.id}` : ref.id];
  if (component.includes('OWASP')) return [`OWASP ${ref.id}${component.includes('2021') ? ':2021' : ''}`];
  return [ref.id];
}

/**
 * OWASP Top 10 2021 ids from tags and taxa: "owasp-top10-2021:a3", "OWASP-A03:2021 - Injection",
 * "A03:2021". A tag that names no year is not taken: 2017's A3 is another category.
 */
function owaspId(label: string): string | undefined {
  const match = /(?:owasp[-_ ]?top[-_ ]?10[-_ ]?2021[:/ -]?a0?(\d{1,2})\b)|(?:\ba0?(\d{1,2}):2021\b)/i.exec(label);
  const n = Number(match?.[1] ?? match?.[2] ?? 0);
  return n >= 1 && n <= 10 ? `A${String(n).padStart(2, '0')}` : undefined;
}

/** §3.11: a message given by id is the rule's message string, with {0}, {1}… replaced by the arguments. */
function messageText(message: SarifMessage, rule: SarifRule | undefined): string {
  if (message.text !== undefined) return message.text;
  const template = message.id !== undefined ? rule?.messageStrings?.[message.id]?.text : undefined;
  if (template === undefined) return message.id ?? '';
  return template.replace(/\{(\d+)\}/g, (whole, n: string) => message.arguments?.[Number(n)] ?? whole);
}

/** GitHub's reading of `security-severity` (a CVSS-like score) when given, else the SARIF level. */
function severityOf(securitySeverity: string | number | undefined, level: string | undefined): FindingSeverity {
  const score = Number(securitySeverity);
  if (securitySeverity !== undefined && Number.isFinite(score)) {
    return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : score > 0 ? 'low' : 'info';
  }
  return level === 'error' ? 'high' : level === 'note' ? 'low' : level === 'none' ? 'info' : 'medium';
}

function statusOf(p: PendingResult): FindingStatus {
  if (p.kind === 'pass' || p.kind === 'notApplicable' || p.baselineState === 'absent') return 'fixed';
  return p.suppressed ? 'accepted' : 'open';
}
