import type { AppContext } from '../context.js';
import { registerJobQueueMetrics } from '../jobs/job-metrics.js';
import { JobWorker } from '../jobs/job-worker.js';
import { SONAR_IMPORT_JOB, sonarImportHandler } from './sonarqube/import-job.js';

/** Adds the job worker that runs SonarQube imports queued by webhooks (features.ts). */
export function installIntegrations(ctx: AppContext): void {
  const worker = new JobWorker(ctx).handle(SONAR_IMPORT_JOB, sonarImportHandler(ctx));
  ctx.workers.push(worker);
  registerJobQueueMetrics(ctx);
}
