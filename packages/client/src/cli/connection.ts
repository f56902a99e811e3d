import { ArkivClient } from '../client.js';
import { UsageError, type CliIo } from './io.js';

/** Where `arkiv` talks to when neither --server nor ARKIV_URL says otherwise: `npm start`'s address. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ConnectionOptions {
  server?: string;
  token?: string;
}

/** Flags win over ARKIV_URL / ARKIV_TOKEN. A token is required only where the API needs one. */
export function connect(options: ConnectionOptions, io: CliIo, { needsToken = false } = {}): ArkivClient {
  const baseUrl = options.server ?? io.env.ARKIV_URL ?? DEFAULT_SERVER;
  const token = options.token ?? (io.env.ARKIV_TOKEN || undefined);
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`server URL "${baseUrl}" is not a URL (set --server or ARKIV_URL)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`server URL must be http(s), got "${baseUrl}"`);
  if (needsToken && !token) throw new UsageError('this command needs an API token: pass --token or set ARKIV_TOKEN');
  return new ArkivClient({ baseUrl, token });
}

/** The organisation of read commands: --org or ARKIV_ORG. */
export function orgOf(options: { org?: string }, io: CliIo): string {
  const org = options.org ?? io.env.ARKIV_ORG;
  if (!org) throw new UsageError('name the organisation: pass --org or set ARKIV_ORG');
  return org;
}
