import type { AppContext } from './context.js';
import { installWebhooks } from './webhooks/install.js';
import { installAccounts } from './accounts/install.js';
import { installIntegrations } from './ingest/install.js';
import { installBlobSweeper } from './blobs/blob-sweeper.js';
import { reportBlobReferences } from './reports/report-blob-references.js';
import { auditReportChanges } from './audit/report-audit.js';

/**
 * Features that hook into the core (report hooks, authenticators, workers) install themselves
 * here, once per process, before the HTTP app is built. A feature adds one line.
 */
const installers: Array<(ctx: AppContext) => Promise<void> | void> = [
  installAccounts,
  installIntegrations,
  installWebhooks,
  // The sweeper deletes what no feature references; reports are the only holders of blobs today.
  (ctx) => installBlobSweeper(ctx, reportBlobReferences(ctx.db)),
  // Last: the audit entry is the last write of a report transaction (see appendAudit).
  (ctx) => void ctx.reportHooks.push(auditReportChanges),
];

export async function installFeatures(ctx: AppContext): Promise<void> {
  for (const install of installers) await install(ctx);
}
