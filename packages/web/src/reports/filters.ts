import { isVersion } from '../lib/versions.ts';

export interface Filters {
  version: string;
  minver: string;
  maxver: string;
  projectName: string;
  reportType: string;
}

export const NO_FILTERS: Filters = { version: '', minver: '', maxver: '', projectName: '', reportType: '' };

/**
 * The list API needs version, minver or maxver; with none of them the dashboard asks for every
 * version (minver 0), which is what a person who left the fields empty means.
 */
export function listParameters(orgId: string, filters: Filters): Record<string, string> {
  const params: Record<string, string> = { org: orgId };
  for (const [name, value] of Object.entries(filters)) if (value.trim() !== '') params[name] = value.trim();
  if (!params.version && !params.minver && !params.maxver) params.minver = '0';
  return params;
}

export function filterErrors(filters: Filters): Partial<Record<keyof Filters, string>> {
  const errors: Partial<Record<keyof Filters, string>> = {};
  for (const name of ['version', 'minver', 'maxver'] as const) {
    const value = filters[name].trim();
    if (value !== '' && !isVersion(value)) errors[name] = 'Not a semantic version (e.g. 1.2.3 or 1.0)';
  }
  return errors;
}
