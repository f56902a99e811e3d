/** Tables of single sign-on (migration 0014_sso). */

export interface OrgSsoTable {
  org_id: string;
  /** JSON object {"<group>": "owner" | "admin" | "member"}. */
  group_roles: string;
  /** 1: the organisation's members may not sign in with a password. */
  required: number;
  updated_at: number;
}

export interface OidcLoginsTable {
  /** SHA-256 hex of the `state` the browser carries in its cookie and back from the provider. */
  state_hash: string;
  /** PKCE verifier and nonce: secrets of this sign-in, kept here and never sent to the browser. */
  code_verifier: string;
  nonce: string;
  created_at: number;
  expires_at: number;
}

declare module '../db/schema.js' {
  interface Database {
    org_sso: OrgSsoTable;
    oidc_logins: OidcLoginsTable;
  }
}
