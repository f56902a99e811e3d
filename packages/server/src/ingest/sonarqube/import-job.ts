import type { AppContext } from '../../context.js';
import { AppError } from '../../http/errors.js';
import { PermanentJobError, type JobRun } from '../../jobs/job-worker.js';
import { findConnection } from '../connections/connection-store.js';
import { setEventStatus } from '../events-store.js';
import { importSonarAnalysis } from './import-analysis.js';
import { createGuardedDispatcher } from '../../webhooks/target-guard.js';
import { ADMIN_TARGETS } from './import-routes.js';
import { SonarApi, SonarQubeError } from './sonar-api.js';

export const SONAR_IMPORT_JOB = 'sonarqube.import';

export interface SonarImportJob {
  connectionId: string;
  eventId: string;
  projectKey: string;
  branch?: string | undefined;
  analysedAt?: string | undefined;
}

/**
 * Runs an import queued by the SonarQube webhook. SonarQube being down or slow is retried with the
 * queue's back-off; what retrying cannot fix (connection deleted, token refused, project gone,
 * analysis without a usable version) fails the job at once. The event row tells the dashboard which.
 */
export function sonarImportHandler(ctx: AppContext) {
  return async (run: JobRun): Promise<void> => {
    const job = run.payload as SonarImportJob;
    const connection = await findConnection(ctx.db, ctx.secrets, job.connectionId);
    if (!connection?.serverUrl || !connection.token) throw new PermanentJobError('the SonarQube connection was deleted');
    // Admin-made URL: private networks yes, link-local/metadata never (ADMIN_TARGETS).
    const dispatcher = createGuardedDispatcher(ADMIN_TARGETS);
    const api = new SonarApi({ baseUrl: connection.serverUrl, token: connection.token, dispatcher, signal: run.signal, maxBytes: ctx.config.maxUploadBytes });
    try {
      const result = await importSonarAnalysis(ctx, {
        api, orgId: connection.orgId, initiator: 'system',
        request: { projectKey: job.projectKey, branch: job.branch, analysedAt: job.analysedAt, projectName: connection.projects[job.projectKey] },
      });
      const [first] = result.reports;
      const incomplete = result.unread.length > 0 ? ` (incomplete: ${result.unread.join('; ')})` : '';
      await setEventStatus(ctx.db, job.eventId, 'imported', first ? `${first.projectName} ${first.projectVersion}: ${result.reports.map((r) => r.reportType).join(', ')}${incomplete}` : null);
    } catch (error) {
      const retriable = error instanceof SonarQubeError ? error.retriable : !(error instanceof AppError);
      const message = error instanceof Error ? error.message : String(error);
      const last = !retriable || run.attempt >= run.maxAttempts;
      await setEventStatus(ctx.db, job.eventId, last ? 'failed' : 'retrying', `attempt ${run.attempt}: ${message}`);
      throw retriable ? error : new PermanentJobError(message, { cause: error });
    } finally {
      await dispatcher.close();
    }
  };
}
