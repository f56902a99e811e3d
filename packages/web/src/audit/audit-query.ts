import { withQuery } from '../lib/api.ts';
import type { AuditAction } from '../lib/types.ts';

/** Every action, with what the table calls it. A Record: a new server action fails the type check until named here. */
export const ACTION_LABELS: Record<AuditAction, string> = {
  'report.download': 'Report downloaded',
  'report.upload': 'Report uploaded',
  'report.replace': 'Report replaced',
  'report.delete': 'Report deleted',
  'auth.login': 'Signed in',
  'auth.login_failed': 'Failed sign-in',
  'member.add': 'Member added',
  'member.role_change': 'Role changed',
  'member.remove': 'Member removed',
  'token.create': 'Token created',
  'token.revoke': 'Token revoked',
  'webhook.create': 'Webhook created',
  'webhook.update': 'Webhook changed',
  'webhook.delete': 'Webhook deleted',
  'webhook.secret_rotate': 'Webhook secret rotated',
  'integration.create': 'Integration created',
  'integration.update': 'Integration changed',
  'integration.delete': 'Integration deleted',
  'signing_key.rotate': 'Signing key rotated',
  'invitation.create': 'Invitation sent',
  'invitation.revoke': 'Invitation revoked',
  'invitation.accept': 'Invitation accepted',
  'account.delete': 'Account deleted',
  'account.password_change': 'Password changed',
  'account.password_reset': 'Password reset',
  'org.update': 'Organisation changed',
  'org.mfa_policy_update': 'MFA policy changed',
  'org.sso_update': 'SSO settings changed',
  'webhook.secret_reveal': 'Webhook secret revealed',
};

export interface AuditFilters {
  /** datetime-local values (the browser's time zone), '' for none. */
  from: string;
  to: string;
  action: AuditAction | '';
  actor: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = { from: '', to: '', action: '', actor: '' };

const iso = (local: string) => (local === '' ? undefined : new Date(local).toISOString());

/** The API URL for the filters: one page, or an export (`format` ndjson or csv). */
export function auditUrl(orgId: string, filters: AuditFilters, extra: { cursor?: string | null; format?: 'ndjson' | 'csv' } = {}): string {
  return withQuery(`/api/orgs/${orgId}/audit`, {
    from: iso(filters.from),
    to: iso(filters.to),
    action: filters.action,
    actor: filters.actor.trim(),
    cursor: extra.cursor,
    format: extra.format,
  });
}

/** A short reading of an entry's details: `key: value` pairs, lists joined. */
export function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : value === null ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('; ');
}
