import type { Logger } from 'pino';
import type { Configuration } from 'openid-client';
import type { OidcSettings } from '../config.js';
import { AppError } from '../http/errors.js';
import type { PendingOidcLogin } from './oidc-logins.js';

/** What a finished sign-in proved about the person: the provider vouches for `email`. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string;
  groups: string[];
}

/** Seconds any request to the provider (discovery, token, userinfo) may take. */
const PROVIDER_TIMEOUT_S = 10;

export const ssoNotConfigured = () => new AppError(404, 'sso_not_configured', 'Single sign-on is not configured on this server');
export const ssoProviderUnavailable = () =>
  new AppError(503, 'sso_provider_unavailable', 'The single sign-on provider could not be reached; try again later', { alert: true });
export const ssoFailed = (message = 'The single sign-on provider did not confirm the sign-in; start again') => new AppError(401, 'sso_failed', message);
export const ssoEmailUnverified = () =>
  new AppError(403, 'sso_email_unverified', 'The single sign-on provider did not confirm an email address for this account (email_verified is not true)');

type OpenIdClient = typeof import('openid-client');

/**
 * Arkiv as an OpenID Connect relying party: authorization code flow with PKCE (S256), state and
 * nonce. openid-client is imported at the first SSO sign-in, never at start, and the provider's
 * metadata is discovered then and kept; a failed discovery is retried by the next sign-in.
 */
export class OidcRelyingParty {
  private discovered: Promise<{ client: OpenIdClient; config: Configuration }> | undefined;

  constructor(
    private readonly settings: OidcSettings,
    /** `{ARKIV_PUBLIC_URL}/api/auth/oidc/callback`, read at each sign-in (the public URL is known once the server listens). */
    private readonly redirectUri: () => string,
    private readonly log: Logger,
  ) {}

  private discover(): Promise<{ client: OpenIdClient; config: Configuration }> {
    this.discovered ??= (async () => {
      const client = await import('openid-client');
      const { issuer, clientId, clientSecret } = this.settings;
      try {
        const config = await client.discovery(
          new URL(issuer),
          clientId,
          clientSecret,
          clientSecret === undefined ? client.None() : client.ClientSecretBasic(clientSecret),
          // config.ts allows http:// only for a provider on loopback.
          { timeout: PROVIDER_TIMEOUT_S, execute: new URL(issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [] },
        );
        return { client, config };
      } catch (error) {
        this.log.warn({ issuer, reason: reasonOf(error) }, 'OpenID Connect discovery failed: check ARKIV_OIDC_ISSUER and that the provider is reachable');
        throw ssoProviderUnavailable();
      }
    })();
    const attempt = this.discovered;
    attempt.catch(() => {
      if (this.discovered === attempt) this.discovered = undefined;
    });
    return attempt;
  }

  /** The provider's authorization URL for a new sign-in, and the secrets the callback will need. */
  async startLogin(): Promise<{ url: URL; state: string; login: PendingOidcLogin }> {
    const { client, config } = await this.discover();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(),
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, login: { codeVerifier, nonce } };
  }

  /**
   * Checks the provider's answer (state, issuer, code exchanged with the PKCE verifier, ID token
   * signature, audience and nonce: all by openid-client) and reads the person's claims: the ID
   * token's, completed from userinfo when email or groups are not in it.
   */
  async finishLogin(callbackUrl: URL, state: string, login: PendingOidcLogin): Promise<OidcIdentity> {
    const { client, config } = await this.discover();
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims()!;
      claims = { ...idToken };
      const complete = idToken.email !== undefined && idToken.email_verified !== undefined && idToken[this.settings.groupsClaim] !== undefined;
      if (!complete && config.serverMetadata().userinfo_endpoint) {
        // The ID token's own claims win: it is signed, and names the subject userinfo must match.
        claims = { ...(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...idToken };
      }
    } catch (error) {
      this.log.warn({ issuer: this.settings.issuer, reason: reasonOf(error) }, 'single sign-on refused: the provider answer did not check out');
      throw ssoFailed();
    }
    const email = typeof claims.email === 'string' ? claims.email.trim() : '';
    if (!email || (claims.email_verified !== true && claims.email_verified !== 'true')) throw ssoEmailUnverified();
    return { issuer: this.settings.issuer, subject: String(claims.sub), email, groups: groupsOf(claims[this.settings.groupsClaim]) };
  }
}

/** Groups arrive as an array of names (Keycloak, Okta, Entra ID) or, from some providers, one name. */
function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((group): group is string => typeof group === 'string');
  return [];
}

/** The error's code and message, never a token: openid-client's messages describe checks, not values. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown; error?: unknown }).error ?? (error as { code?: unknown }).code;
  return code ? `${String(code)}: ${error.message}` : error.message;
}
