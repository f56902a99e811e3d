import type { Connection, ConnectionInput, ConnectionKind } from './integration-types.ts';

/**
 * The connection editor's rules, without React. The limits are the API's (connection-schemas.ts):
 * a value the form accepts must not be refused by the server for its shape.
 */
export interface ConnectionFormValues {
  name: string;
  serverUrl: string;
  /** Empty while editing keeps the stored token: the API never returns it. */
  token: string;
  /** One "project key = Arkiv project name" per line. */
  projects: string;
}

export type ConnectionFormErrors = Partial<Record<keyof ConnectionFormValues, string>>;

const MAX_KEY = 400;
const MAX_PROJECT_NAME = 200;

export function formValuesOf(connection: Connection | null): ConnectionFormValues {
  return { name: connection?.name ?? '', serverUrl: connection?.serverUrl ?? '', token: '', projects: formatProjectMap(connection?.projects ?? {}) };
}

export function formatProjectMap(projects: Record<string, string>): string {
  return Object.entries(projects).map(([key, name]) => `${key} = ${name}`).join('\n');
}

/**
 * Lines "key = name" (blank lines skipped) → the map, or the first line's problem. A line splits
 * at its first "=": SonarQube project keys never contain one, Arkiv project names may.
 */
export function parseProjectMap(text: string): { projects: Record<string, string> } | { error: string } {
  const projects: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `Line ${index + 1}`;
    const at = line.indexOf('=');
    if (at < 0) return { error: `${where}: write "project key = project name"` };
    const key = line.slice(0, at).trim();
    const name = line.slice(at + 1).trim();
    if (!key || !name) return { error: `${where}: both the project key and the project name are needed` };
    if (key.length > MAX_KEY) return { error: `${where}: the project key is longer than ${MAX_KEY} characters` };
    if (name.length > MAX_PROJECT_NAME) return { error: `${where}: the project name is longer than ${MAX_PROJECT_NAME} characters` };
    if (Object.hasOwn(projects, key)) return { error: `${where}: project key "${key}" is listed twice` };
    projects[key] = name;
  }
  return { projects };
}

function httpUrlError(value: string): string | undefined {
  if (value === '') return 'Enter the SonarQube server URL';
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The URL must start with http:// or https://';
  } catch {
    return 'Enter a full URL, e.g. https://sonarqube.example.com';
  }
  if (value.length > 2000) return 'The URL is longer than 2000 characters';
  return undefined;
}

/**
 * Field errors; empty when the form may be sent. A SonarQube connection needs a token when it is
 * new and when its server URL changes: the server never sends a stored token to another host.
 * `storedServerUrl` is the URL saved so far, undefined for a new connection.
 */
export function validateConnection(kind: ConnectionKind, values: ConnectionFormValues, storedServerUrl?: string): ConnectionFormErrors {
  const errors: ConnectionFormErrors = {};
  const name = values.name.trim();
  if (name === '') errors.name = 'Enter a name';
  else if (name.length > 200) errors.name = 'The name is longer than 200 characters';
  if (kind === 'nexus-iq') return errors;
  const urlError = httpUrlError(values.serverUrl.trim());
  if (urlError) errors.serverUrl = urlError;
  const token = values.token.trim();
  if (storedServerUrl === undefined && token === '') errors.token = 'Enter a SonarQube user token (it is stored encrypted and never shown again)';
  else if (token === '' && values.serverUrl.trim() !== storedServerUrl) errors.token = 'A new server URL needs its token: the stored one is never sent to another server';
  else if (token.length > 1000) errors.token = 'The token is longer than 1000 characters';
  const parsed = parseProjectMap(values.projects);
  if ('error' in parsed) errors.projects = parsed.error;
  return errors;
}

/**
 * The POST/PATCH body. Nexus IQ connections take only a name (the API refuses anything else); a
 * SonarQube edit sends the token only when one was typed, so saving never erases the stored one,
 * and always sends the project map, so emptying the field clears it.
 */
export function connectionBody(kind: ConnectionKind, values: ConnectionFormValues): ConnectionInput {
  const body: ConnectionInput = { name: values.name.trim() };
  if (kind === 'nexus-iq') return body;
  body.serverUrl = values.serverUrl.trim();
  const token = values.token.trim();
  if (token) body.token = token;
  const parsed = parseProjectMap(values.projects);
  if ('projects' in parsed) body.projects = parsed.projects;
  return body;
}

/** The import route's body: the project key, and branch/version only when given. */
export function importBody(values: { projectKey: string; branch: string; version: string }): { projectKey: string; branch?: string; version?: string } {
  const body: { projectKey: string; branch?: string; version?: string } = { projectKey: values.projectKey.trim() };
  if (values.branch.trim()) body.branch = values.branch.trim();
  if (values.version.trim()) body.version = values.version.trim();
  return body;
}
