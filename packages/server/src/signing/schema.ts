/** Organisation signing keys (migration 0008_signing_keys). Epoch-ms bigints, as in the core. */
export interface OrgSigningKeysTable {
  /** RFC 7638 JWK thumbprint of the public key: stable, derived, unique. */
  kid: string;
  org_id: string;
  /** base64url of the raw 32-byte Ed25519 public key (the JWK's `x`). */
  public_key: string;
  /** The PKCS#8 private key, base64url, sealed with ctx.secrets; never stored in clear. */
  private_key_sealed: string;
  created_at: number;
  /** When a rotation replaced it; null for the one key that signs now. */
  not_after: number | null;
}

declare module '../db/schema.js' {
  interface Database {
    org_signing_keys: OrgSigningKeysTable;
  }
}
