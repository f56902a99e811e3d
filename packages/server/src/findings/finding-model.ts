import crypto from 'node:crypto';

export const FINDING_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/**
 * open: needs action (an open or confirmed issue, a hotspot to review, a SARIF result without an
 * accepted suppression). accepted: a risk someone chose to keep (won't fix, acknowledged hotspot,
 * accepted suppression). false_positive: judged not a problem (false positive, safe hotspot).
 * fixed: reported as gone by the analyser.
 */
export const FINDING_STATUSES = ['open', 'accepted', 'false_positive', 'fixed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export const FINDING_KINDS = ['vulnerability', 'hotspot', 'issue'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** One finding as Arkiv stores it, whatever produced it. */
export interface FindingRecord {
  fingerprint: string;
  ruleId: string;
  ruleName: string | null;
  kind: FindingKind;
  severity: FindingSeverity;
  status: FindingStatus;
  file: string | null;
  line: number | null;
  message: string;
  /** CWE numbers, ascending, no duplicates. */
  cwe: number[];
  /** OWASP Top 10 2021 ids ("A03"), ascending, no duplicates. */
  owasp: string[];
  /** SARIF partialFingerprints as received, returned on export. */
  partialFingerprints: Record<string, string> | null;
}

/** The longest text a finding keeps per field; analysers' messages can be paragraphs. */
export const MAX_FINDING_TEXT = 2000;

/**
 * Text as stored: at most MAX_FINDING_TEXT characters, and U+0000 (which a JSON string may hold
 * but PostgreSQL text cannot) replaced by U+FFFD, so both engines store the same finding.
 */
export function clipText(text: string): string {
  const storable = text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
  return storable.length > MAX_FINDING_TEXT ? `${storable.slice(0, MAX_FINDING_TEXT - 1)}…` : storable;
}

/**
 * The fingerprint of a finding without one of its own: what it is (rule), where (file, line) and
 * what it says, so the same finding in the next version hashes the same until one of them moves.
 */
export function contentFingerprint(ruleId: string, file: string | null, line: number | null, message: string): string {
  return `sha256:${crypto.createHash('sha256').update([ruleId, file ?? '', line ?? '', message].join('\u0000')).digest('hex')}`;
}

/** SARIF partialFingerprints as one stable string: every entry, sorted by name, hashed. */
export function partialFingerprintsKey(partial: Record<string, string>): string {
  const canonical = Object.keys(partial).sort().map((name) => `${name}\u0000${partial[name]}`).join('\u0001');
  return `sarif:${crypto.createHash('sha256').update(canonical).digest('hex')}`;
}

/**
 * "CWE-79", "cwe:79", "external/cwe/cwe-79", "CWE-79: Improper Neutralization…" → 79; anything
 * else → undefined. The prefix is required: a bare number in a tag list is not a CWE.
 */
export function cweNumber(raw: string): number | undefined {
  const match = /^(?:external\/cwe\/)?cwe[:-]?\s*0*(\d{1,6})(?![\w.])/i.exec(raw.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return n > 0 ? n : undefined;
}

export const uniqueSorted = <T extends string | number>(items: Iterable<T>): T[] =>
  [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export interface FindingsDelta {
  new: number;
  fixed: number;
  /** The version compared against: the highest version below this one of the same product and type; null when none. */
  previousVersion: string | null;
}
