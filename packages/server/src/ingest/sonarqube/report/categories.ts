import type { SecurityStandards } from './model.js';

export interface CategoryDefinition {
  id: string;
  name: string;
  rank: number;
}

/** A standard a report is built against, and how a finding's standards map to its categories. */
export interface SecurityStandard<Type extends string, Version extends number> {
  reportType: Type;
  reportVersion: Version;
  categories: readonly CategoryDefinition[];
  /** Category ids of a finding; unknown or malformed entries are ignored. */
  categoryIdsOf(item: SecurityStandards): string[];
}

const ranked = (entries: [id: string, name: string][]): readonly CategoryDefinition[] =>
  Object.freeze(entries.map(([id, name], index) => Object.freeze({ id, name, rank: index + 1 })));

/** MITRE's 2024 CWE Top 25 Most Dangerous Software Weaknesses, in rank order. */
export const CWE_TOP_25_2024_CATEGORIES = ranked([
  ['CWE-79', "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"],
  ['CWE-787', 'Out-of-bounds Write'],
  ['CWE-89', "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')"],
  ['CWE-352', 'Cross-Site Request Forgery (CSRF)'],
  ['CWE-22', "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')"],
  ['CWE-125', 'Out-of-bounds Read'],
  ['CWE-78', "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')"],
  ['CWE-416', 'Use After Free'],
  ['CWE-862', 'Missing Authorization'],
  ['CWE-434', 'Unrestricted Upload of File with Dangerous Type'],
  ['CWE-94', "Improper Control of Generation of Code ('Code Injection')"],
  ['CWE-20', 'Improper Input Validation'],
  ['CWE-77', "Improper Neutralization of Special Elements used in a Command ('Command Injection')"],
  ['CWE-287', 'Improper Authentication'],
  ['CWE-269', 'Improper Privilege Management'],
  ['CWE-502', 'Deserialization of Untrusted Data'],
  ['CWE-200', 'Exposure of Sensitive Information to an Unauthorized Actor'],
  ['CWE-863', 'Incorrect Authorization'],
  ['CWE-918', 'Server-Side Request Forgery (SSRF)'],
  ['CWE-119', 'Improper Restriction of Operations within the Bounds of a Memory Buffer'],
  ['CWE-476', 'NULL Pointer Dereference'],
  ['CWE-798', 'Use of Hard-coded Credentials'],
  ['CWE-190', 'Integer Overflow or Wraparound'],
  ['CWE-400', 'Uncontrolled Resource Consumption'],
  ['CWE-306', 'Missing Authentication for Critical Function'],
]);

/** OWASP Top 10:2021. */
export const OWASP_TOP_10_2021_CATEGORIES = ranked([
  ['A01', 'Broken Access Control'],
  ['A02', 'Cryptographic Failures'],
  ['A03', 'Injection'],
  ['A04', 'Insecure Design'],
  ['A05', 'Security Misconfiguration'],
  ['A06', 'Vulnerable and Outdated Components'],
  ['A07', 'Identification and Authentication Failures'],
  ['A08', 'Software and Data Integrity Failures'],
  ['A09', 'Security Logging and Monitoring Failures'],
  ['A10', 'Server-Side Request Forgery (SSRF)'],
]);

/** "79", "cwe:79", "CWE-79" → "CWE-79"; anything else → undefined. */
export function cweId(raw: string): string | undefined {
  const match = /^(?:cwe[:-]?)?\s*0*(\d{1,5})$/i.exec(raw.trim());
  return match ? `CWE-${match[1]}` : undefined;
}

/** "a3", "A03", "owaspTop10-2021:a3" → "A03"; anything else (or out of 1..10) → undefined. */
export function owaspTop10Id(raw: string): string | undefined {
  const match = /^(?:owaspTop10-2021:)?a0?(\d{1,2})$/i.exec(raw.trim());
  const n = match ? Number(match[1]) : 0;
  return n >= 1 && n <= 10 ? `A${String(n).padStart(2, '0')}` : undefined;
}

const definedOnly = (ids: (string | undefined)[]): string[] => ids.filter((id): id is string => id !== undefined);

export const CWE_TOP_25_2024: SecurityStandard<'CWE Top 25', 2024> = {
  reportType: 'CWE Top 25',
  reportVersion: 2024,
  categories: CWE_TOP_25_2024_CATEGORIES,
  categoryIdsOf: (item) => definedOnly(item.cwe.map(cweId)),
};

export const OWASP_TOP_10_2021: SecurityStandard<'OWASP Top 10', 2021> = {
  reportType: 'OWASP Top 10',
  reportVersion: 2021,
  categories: OWASP_TOP_10_2021_CATEGORIES,
  categoryIdsOf: (item) => definedOnly(item.owaspTop10_2021.map(owaspTop10Id)),
};
