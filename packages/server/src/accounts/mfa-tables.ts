/** Tables of the TOTP second factor (migration 0013_totp); same conventions as account-tables.ts. */

export interface UserTotpTable {
  user_id: string;
  /** The base32 secret sealed with the secret box: codes are checked against it, so it cannot be a hash. */
  secret_sealed: string;
  created_at: number;
  /** Null while enrolment waits for the first code; TOTP is on once set. */
  confirmed_at: number | null;
  /** The newest time step a code was accepted for: codes of that step and older are refused. */
  last_used_step: number | null;
}

export interface MfaRecoveryCodesTable {
  /** SHA-256 hex of the normalised code (80 random bits). */
  code_hash: string;
  user_id: string;
  created_at: number;
  used_at: number | null;
}

/** A password login waiting for its second factor: the mfaToken's SHA-256, single use, short-lived. */
export interface MfaChallengesTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

declare module '../db/schema.js' {
  interface Database {
    user_totp: UserTotpTable;
    mfa_recovery_codes: MfaRecoveryCodesTable;
    mfa_challenges: MfaChallengesTable;
  }
}
