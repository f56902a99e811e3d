import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { Queryable } from '../../jobs/job-queue.js';
import { formatTimestamp } from '../../shared/timestamp.js';
import type { NexusIqEvaluationsTable } from '../integration-tables.js';

/** One completed Nexus IQ policy evaluation, as the list API returns it. */
export interface Evaluation {
  id: string;
  connectionId: string;
  policyEvaluationId: string;
  applicationId: string;
  applicationPublicId: string | null;
  applicationName: string | null;
  stage: string;
  outcome: string;
  evaluationDate: string;
  affectedComponentCount: number;
  criticalComponentCount: number;
  severeComponentCount: number;
  moderateComponentCount: number;
  receivedAt: string;
}

const invalid = (message: string) => new AppError(400, 'invalid_payload', `applicationEvaluation: ${message}`);

function count(source: Record<string, unknown>, name: string): number {
  const value = source[name];
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw invalid(`${name} must be a whole number of 0 or more`);
  return value as number;
}

function text(source: Record<string, unknown>, name: string): string {
  const value = source[name];
  if (typeof value !== 'string' || value === '' || value.length > 400) throw invalid(`${name} is required`);
  return value;
}

/**
 * The `applicationEvaluation` object of an iq:applicationEvaluation event (seed 004). The
 * application is `ownerId` in the documented payload; newer servers also send `application`
 * ({ id, publicId, name }), which is preferred when present.
 */
export function readEvaluation(payload: Record<string, unknown>): Omit<NexusIqEvaluationsTable, 'id' | 'org_id' | 'connection_id' | 'event_id' | 'received_at'> {
  const evaluation = payload.applicationEvaluation;
  if (typeof evaluation !== 'object' || evaluation === null) throw invalid('the object is missing');
  const e = evaluation as Record<string, unknown>;
  const application = (typeof e.application === 'object' && e.application !== null ? e.application : {}) as Record<string, unknown>;
  const evaluationDate = text(e, 'evaluationDate');
  const evaluationDateMs = Date.parse(evaluationDate);
  if (Number.isNaN(evaluationDateMs)) throw invalid('evaluationDate is not an ISO 8601 date-time');
  const optional = (value: unknown) => (typeof value === 'string' && value !== '' ? value.slice(0, 400) : null);
  return {
    policy_evaluation_id: text(e, 'policyEvaluationId'),
    application_id: typeof application.id === 'string' && application.id ? application.id : text(e, 'ownerId'),
    application_public_id: optional(application.publicId),
    application_name: optional(application.name),
    stage: text(e, 'stage'),
    outcome: text(e, 'outcome'),
    evaluation_date: evaluationDate,
    evaluation_date_ms: evaluationDateMs,
    affected_component_count: count(e, 'affectedComponentCount'),
    critical_component_count: count(e, 'criticalComponentCount'),
    severe_component_count: count(e, 'severeComponentCount'),
    moderate_component_count: count(e, 'moderateComponentCount'),
  };
}

/** Stores an evaluation; the same policyEvaluationId in one organisation is one record (last delivery wins). */
export async function storeEvaluation(db: Queryable, row: NexusIqEvaluationsTable): Promise<void> {
  const { id: _id, org_id: _org, policy_evaluation_id: _p, ...changes } = row;
  await db
    .insertInto('nexus_iq_evaluations')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'policy_evaluation_id']).doUpdateSet(changes))
    .execute();
}

export const newEvaluationId = () => crypto.randomUUID();

export interface EvaluationFilter {
  application?: string | undefined;
  stage?: string | undefined;
  outcome?: string | undefined;
  since?: number | undefined;
  limit: number;
}

/** Newest evaluation first. `application` matches the application's id or public id. */
export async function listEvaluations(db: Kysely<Database>, orgId: string, filter: EvaluationFilter): Promise<Evaluation[]> {
  let query = db.selectFrom('nexus_iq_evaluations').selectAll().where('org_id', '=', orgId);
  if (filter.application) query = query.where((eb) => eb.or([eb('application_id', '=', filter.application!), eb('application_public_id', '=', filter.application!)]));
  if (filter.stage) query = query.where('stage', '=', filter.stage);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.since !== undefined) query = query.where('evaluation_date_ms', '>=', filter.since);
  const rows = await query.orderBy('evaluation_date_ms', 'desc').orderBy('id').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    connectionId: r.connection_id,
    policyEvaluationId: r.policy_evaluation_id,
    applicationId: r.application_id,
    applicationPublicId: r.application_public_id,
    applicationName: r.application_name,
    stage: r.stage,
    outcome: r.outcome,
    evaluationDate: r.evaluation_date,
    affectedComponentCount: r.affected_component_count,
    criticalComponentCount: r.critical_component_count,
    severeComponentCount: r.severe_component_count,
    moderateComponentCount: r.moderate_component_count,
    receivedAt: formatTimestamp(r.received_at),
  }));
}
