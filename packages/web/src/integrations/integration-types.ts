/** Integrations API shapes (issue 5; see GET /openapi.json, tag "integrations"). */
export type ConnectionKind = 'sonarqube' | 'nexus-iq';

export const KIND_NAMES: Record<ConnectionKind, string> = { sonarqube: 'SonarQube', 'nexus-iq': 'Nexus IQ' };

export type EventStatus = 'received' | 'queued' | 'imported' | 'ignored' | 'retrying' | 'failed';

export interface ConnectionEvent {
  id: string;
  eventType: string;
  deliveryId: string;
  receivedAt: string;
  status: EventStatus;
  detail: string | null;
}

export interface Connection {
  id: string;
  kind: ConnectionKind;
  name: string;
  /** Pasted into SonarQube (Webhooks) or Nexus IQ (System Preferences > Webhooks). */
  webhookUrl: string;
  secret: string;
  serverUrl: string | null;
  /** The SonarQube token is write-only: the API says only whether one is stored. */
  hasToken: boolean;
  /** SonarQube project key → Arkiv projectName; empty accepts every project. */
  projects: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Newest first. */
  lastEvents: ConnectionEvent[];
}

export interface ConnectionInput {
  name?: string;
  serverUrl?: string;
  token?: string;
  projects?: Record<string, string>;
  rotateSecret?: boolean;
}

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

export interface ImportedReport {
  id: string;
  projectName: string;
  projectVersion: string;
  reportType: string;
  reportVersion: number;
  vulnerabilitiesCount: number;
  securityRating: string;
}

export interface ImportResult {
  reports: ImportedReport[];
  sonarqubePdf: boolean;
}

export const connectionsUrl = (orgId: string, kind: ConnectionKind) => `/api/orgs/${orgId}/integrations/${kind}`;
export const connectionUrl = (orgId: string, kind: ConnectionKind, id: string) => `${connectionsUrl(orgId, kind)}/${id}`;
export const evaluationsUrl = (orgId: string) => `/api/orgs/${orgId}/integrations/nexus-iq/evaluations`;
