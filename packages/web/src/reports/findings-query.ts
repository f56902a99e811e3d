import { compareVersions, parseVersion } from '../lib/versions.ts';
import type { Report } from '../lib/types.ts';

/**
 * What the findings search box means: "CWE-89" (or "cwe 89", "89") is a CWE, text with a slash or
 * a file extension is the start of a file path, anything else is a rule id.
 */
export function searchParameters(text: string): { cwe: string } | { file: string } | { rule: string } | null {
  const query = text.trim();
  if (query === '') return null;
  const cwe = /^(?:cwe[-: ]?)?(\d{1,6})$/i.exec(query);
  if (cwe) return { cwe: cwe[1]! };
  if (query.includes('/') || /\.[A-Za-z0-9]{1,8}$/.test(query)) return { file: query };
  return { rule: query };
}

export interface VersionChoice {
  version: string;
  prerelease: boolean;
}

/** The versions of a product among the listed reports, once each, in semver order, prereleases marked. */
export function versionChoices(reports: readonly Report[], projectName: string): VersionChoice[] {
  const versions = new Map<string, string>();
  for (const r of reports) if (r.projectName === projectName && !versions.has(r.projectVersion)) versions.set(r.projectVersion, r.projectVersion);
  return [...versions.values()]
    .sort(compareVersions)
    .map((version) => ({ version, prerelease: (parseVersion(version)?.prerelease.length ?? 0) > 0 }));
}

export const projectNames = (reports: readonly Report[]): string[] => [...new Set(reports.map((r) => r.projectName))].sort();

export const findingPlace = (f: { file: string | null; line: number | null }): string => (f.file === null ? '(no location)' : f.line === null ? f.file : `${f.file}:${f.line}`);
