import type { Migration } from 'kysely';
import * as core from './0001_core.js';
import * as webhooks from './0002_webhooks.js';
import * as accounts from './0003_accounts.js';
import * as integrations from './0004_integrations.js';
import * as reportRevision from './0005_report_revision.js';
import * as passwordKnownToOrg from './0006_password_known_to_org.js';
import * as deliveryDueIndex from './0007_delivery_due_index.js';
import * as signingKeys from './0008_signing_keys.js';
import * as invitations from './0009_invitations.js';
import * as sessionDetails from './0010_session_details.js';
import * as auditLog from './0011_audit_log.js';
import * as findings from './0012_findings.js';
import * as totp from './0013_totp.js';
import * as sso from './0014_sso.js';
import * as shares from './0015_shares.js';
import * as organizationChangeNotify from './0017_organization_change_notify.js';
import * as findingLookupIndexes from './0018_finding_lookup_indexes.js';

/**
 * Every migration, in order. Names sort in the order they must run; features append theirs with
 * the next free number (0002_webhooks, 0003_accounts, 0004_integrations, …).
 */
export const migrations: Record<string, Migration> = {
  '0001_core': core,
  '0002_webhooks': webhooks,
  '0003_accounts': accounts,
  '0004_integrations': integrations,
  '0005_report_revision': reportRevision,
  '0006_password_known_to_org': passwordKnownToOrg,
  '0007_delivery_due_index': deliveryDueIndex,
  '0008_signing_keys': signingKeys,
  '0009_invitations': invitations,
  '0010_session_details': sessionDetails,
  '0011_audit_log': auditLog,
  '0012_findings': findings,
  '0013_totp': totp,
  '0014_sso': sso,
  '0015_shares': shares,
  '0017_organization_change_notify': organizationChangeNotify,
  '0018_finding_lookup_indexes': findingLookupIndexes,
};
