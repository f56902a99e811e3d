/**
 * Tables of user accounts (migration 0003_accounts). Same conventions as the core: epoch-ms bigint
 * timestamps, UUID text ids; emails are stored normalised (trimmed, lower case) so one address is
 * one account.
 */
import type { Role } from './principal.js';

export interface UsersTable {
  id: string;
  email: string;
  /** PHC-style scrypt string: `$scrypt$ln=…,r=…,p=…$<salt>$<hash>` (parameters travel with the hash). */
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  /** The organisation whose administrators set this password (see migration 0006); null once the user chose it. */
  password_known_to_org: string | null;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: Role;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  /** SHA-256 hex of the cookie value: the database never holds a usable session id. */
  token_hash: string;
  user_id: string;
  /** Sent back in X-CSRF-Token on writes; useless without the cookie, so stored as is. */
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  /** Absolute expiry; idle expiry is last_seen_at + the idle timeout. */
  expires_at: number;
  /** Migration 0010: where and with what the session signed in, for the owner's session list. */
  address: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  /** `account:<email>` or `address:<ip>`. */
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number | null;
}

/** Migration 0008_invitations. */
export interface InvitationsTable {
  id: string;
  /** SHA-256 hex of the link's token. */
  token_hash: string;
  org_id: string;
  email: string;
  role: Role;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  /** Set when the link was used; a used invitation answers 410. */
  accepted_at: number | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

declare module '../db/schema.js' {
  interface Database {
    users: UsersTable;
    memberships: MembershipsTable;
    sessions: SessionsTable;
    login_throttle: LoginThrottleTable;
    invitations: InvitationsTable;
    password_resets: PasswordResetsTable;
  }
}
