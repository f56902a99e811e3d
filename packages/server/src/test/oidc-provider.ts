import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload, type Configuration } from 'oidc-provider';

/**
 * A real OpenID Provider on loopback for the SSO tests: `oidc-provider` (OpenID Certified), with
 * one confidential client that must use PKCE, and accounts whose email, email_verified and groups
 * claims each test chooses. Its login and consent pages are small forms of our own, built on the
 * provider's interaction API (interactionDetails / interactionFinished), so tests drive them over
 * HTTP and the browser tests click them.
 */
export interface TestAccount {
  /** The provider's subject, and what is typed in its login form. */
  id: string;
  password: string;
  email?: string;
  emailVerified?: boolean;
  groups?: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** ARKIV_OIDC_* settings pointing at this provider (with the `groups` scope asked for). */
  arkivEnv: Record<string, string>;
  /** Registers the client's redirect URI; call once Arkiv's URL is known (before any sign-in). */
  registerRedirectUri(redirectUri: string): void;
  /** Adds or replaces an account (e.g. to change its groups between two sign-ins). */
  setAccount(account: TestAccount): void;
  stop(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

async function formBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/**
 * The provider's storage for one test process, in memory: what its built-in development adapter
 * does, without that adapter's start-up warning. Expiry is honoured on reads.
 */
function memoryAdapter(): new (model: string) => Adapter {
  const rows = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  return class implements Adapter {
    constructor(private readonly model: string) {}
    private key = (id: string) => `${this.model}:${id}`;
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      rows.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    }
    async find(id: string) {
      const row = rows.get(this.key(id));
      return row && row.expiresAt > Date.now() ? row.payload : undefined;
    }
    async findByUid(uid: string) {
      return [...rows.entries()].find(([key, row]) => key.startsWith(`${this.model}:`) && row.payload.uid === uid && row.expiresAt > Date.now())?.[1].payload;
    }
    async findByUserCode(userCode: string) {
      return [...rows.entries()].find(([key, row]) => key.startsWith(`${this.model}:`) && row.payload.userCode === userCode)?.[1].payload;
    }
    async consume(id: string) {
      const row = rows.get(this.key(id));
      if (row) row.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      rows.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, row] of rows) if (row.payload.grantId === grantId) rows.delete(key);
    }
  };
}

export async function startOidcProvider(): Promise<TestOidcProvider> {
  const accounts = new Map<string, TestAccount>();
  const clientId = 'arkiv-test';
  const clientSecret = crypto.randomBytes(24).toString('base64url');
  let provider: Provider | undefined;
  let handle: ReturnType<Provider['callback']> | undefined;

  // The interactions (login, consent) are ours; every other path is the provider's.
  const server = http.createServer((req, res) => {
    void (async () => {
      const match = /^\/interaction\/([\w-]+)(\/login|\/confirm)?$/.exec(new URL(req.url ?? '/', 'http://op').pathname);
      if (!provider || !handle) return send(res, 503, page('Not ready', '<p>No client registered yet</p>'));
      if (!match) return handle(req, res);
      const [, uid, action] = match;
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET' && !action) {
        if (details.prompt.name === 'login') return send(res, 200, loginForm(uid!));
        return send(res, 200, page('Allow Arkiv', `<p>Arkiv asks for: ${escapeHtml(String(details.params.scope))}</p><form method="post" action="/interaction/${uid}/confirm"><button type="submit">Continue</button></form>`));
      }
      if (req.method === 'POST' && action === '/login') {
        const form = await formBody(req);
        const account = accounts.get(form.get('login') ?? '');
        if (!account || account.password !== form.get('password')) return send(res, 200, loginForm(uid!, 'Wrong login or password'));
        return provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
      }
      if (req.method === 'POST' && action === '/confirm') {
        const grant = details.grantId
          ? (await provider.Grant.find(details.grantId))!
          : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
        const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      }
      send(res, 405, page('Not allowed', ''));
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, page('Provider error', `<pre>${escapeHtml(String(error))}</pre>`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const loginForm = (uid: string, error?: string) =>
    page(
      'Test provider sign-in',
      `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}<form method="post" action="/interaction/${uid}/login">` +
        '<label>Login <input name="login" autocomplete="username"></label> <label>Password <input name="password" type="password"></label> ' +
        '<button type="submit">Sign in</button></form>',
    );

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const configuration = (redirectUri: string): Configuration => ({
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // PKCE even for this confidential client: Arkiv must send a code challenge and its verifier.
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          name: id,
          ...(account.email === undefined ? {} : { email: account.email, email_verified: account.emailVerified ?? false }),
          ...(account.groups === undefined ? {} : { groups: account.groups }),
        }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    jwks: { keys: [{ ...(privateKey.export({ format: 'jwk' }) as Record<string, string>), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    features: { devInteractions: { enabled: false } },
    adapter: memoryAdapter(),
    // Lifetimes in seconds, said explicitly (the provider asks it of every deployment).
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });

  return {
    issuer,
    clientId,
    clientSecret,
    arkivEnv: {
      ARKIV_OIDC_ISSUER: issuer,
      ARKIV_OIDC_CLIENT_ID: clientId,
      ARKIV_OIDC_CLIENT_SECRET: clientSecret,
      ARKIV_OIDC_SCOPES: 'openid email profile groups',
    },
    registerRedirectUri: (redirectUri) => {
      provider = new Provider(issuer, configuration(redirectUri));
      handle = provider.callback();
    },
    setAccount: (account) => {
      accounts.set(account.id, account);
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A cookie jar per origin, enough for following a sign-in through Arkiv and the provider by hand. */
export class CookieJar {
  private readonly cookies = new Map<string, Map<string, string>>();

  header(url: string): string {
    return [...(this.cookies.get(new URL(url).host) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(url: string, response: Response): void {
    const host = new URL(url).host;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    this.cookies.set(host, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const separator = pair!.indexOf('=');
      const name = pair!.slice(0, separator).trim();
      const value = pair!.slice(separator + 1).trim();
      if (value === '' || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  }

  get(url: string, name: string): string | undefined {
    return this.cookies.get(new URL(url).host)?.get(name);
  }

  set(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    if (!this.cookies.has(host)) this.cookies.set(host, new Map());
    this.cookies.get(host)!.set(name, value);
  }

  /** One request without following redirects; cookies go out and come back as a browser's would. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, response);
    return response;
  }
}

/**
 * Plays the person at the provider: from Arkiv's redirect to the provider, through our login and
 * consent forms, up to the redirect back to Arkiv, whose URL (the callback, not yet requested) it returns.
 */
export async function authorizeAtProvider(jar: CookieJar, authorizationUrl: string, account: Pick<TestAccount, 'id' | 'password'>): Promise<string> {
  let url = authorizationUrl;
  const issuerOrigin = new URL(authorizationUrl).origin;
  for (let step = 0; step < 12; step += 1) {
    if (new URL(url).origin !== issuerOrigin) return url;
    const interaction = /^\/interaction\/([\w-]+)$/.exec(new URL(url).pathname);
    let response: Response;
    if (interaction) {
      const form = await jar.fetch(url);
      const html = await form.text();
      const login = html.includes('/login"');
      response = await jar.fetch(`${issuerOrigin}/interaction/${interaction[1]}/${login ? 'login' : 'confirm'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: login ? new URLSearchParams({ login: account.id, password: account.password }).toString() : '',
      });
    } else {
      response = await jar.fetch(url);
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`the provider stopped at ${url} with ${response.status}: ${(await response.text()).slice(0, 300)}`);
    url = new URL(location, url).href;
  }
  throw new Error('the provider kept redirecting');
}
