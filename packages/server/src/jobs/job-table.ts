/** The durable job queue's table (migration 0004). Timestamps are epoch ms. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobsTable {
  id: string;
  /** Which handler runs it, e.g. `sonarqube.import`. */
  kind: string;
  org_id: string | null;
  /** JSON text: the handler's input. */
  payload: string;
  status: JobStatus;
  /** Attempts started so far, the running one included. */
  attempts: number;
  max_attempts: number;
  /** When the job is next due (queued), or when it was claimed (running). */
  run_at: number;
  /** A running job whose lease has passed belongs to a worker that died: it is claimable again. */
  locked_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

declare module '../db/schema.js' {
  interface Database {
    jobs: JobsTable;
  }
}
