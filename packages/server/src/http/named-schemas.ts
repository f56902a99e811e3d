import { ProblemSchema } from './problem-schemas.js';
import { ReportListItemSchema } from '../reports/report-schemas.js';
import { StoredReportSchema } from '../reports/write-routes.js';
import { OrganizationSchema } from '../orgs/org-routes.js';
import { TokenSchema } from '../accounts/token-routes.js';
import { AccountSchema, MemberSchema, SessionSummarySchema } from '../accounts/account-schemas.js';
import { InvitationSchema } from '../accounts/invitation-schemas.js';
import { MfaRequiredProblemSchema } from '../accounts/mfa-schemas.js';
import { SsoSettingsSchema } from '../accounts/sso-routes.js';
import { DeliveryDetailSchema, DeliverySchema, EndpointSchema } from '../webhooks/webhook-schemas.js';
import { ConnectionSchema } from '../ingest/connections/connection-schemas.js';
import { EvaluationSchema } from '../ingest/nexus-iq/evaluation-routes.js';
import { JwksSchema, SigningKeySchema } from '../signing/routes.js';
import { ShareSchema } from '../shares/share-schemas.js';
import { FindingSchema } from '../findings/findings-schemas.js';
import { AuditEntrySchema } from '../audit/audit-routes.js';

/**
 * Shapes with a name: registered once by http/app.ts, used by routes through `refTo`, listed as
 * components of /openapi.json under their `$id`, and so named in the client's generated types.
 * Like routes.ts, this list imports features; no feature imports it.
 */
export const namedSchemas = [
  ProblemSchema,
  ReportListItemSchema,
  StoredReportSchema,
  OrganizationSchema,
  TokenSchema,
  AccountSchema,
  MemberSchema,
  SessionSummarySchema,
  MfaRequiredProblemSchema,
  InvitationSchema,
  SsoSettingsSchema,
  EndpointSchema,
  DeliverySchema,
  DeliveryDetailSchema,
  ConnectionSchema,
  EvaluationSchema,
  JwksSchema,
  SigningKeySchema,
  ShareSchema,
  FindingSchema,
  AuditEntrySchema,
];
