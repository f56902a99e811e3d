/** Integrations API shapes: generated from the server's schemas (see @arkiv/client/types). */
import type { ConnectionKind } from '@arkiv/client/types';

export type { Connection, ConnectionEvent, ConnectionInput, ConnectionKind, Evaluation, EventStatus, ImportedReport, ImportResult } from '@arkiv/client/types';

export const KIND_NAMES: Record<ConnectionKind, string> = { sonarqube: 'SonarQube', 'nexus-iq': 'Nexus IQ' };

export const connectionsUrl = (orgId: string, kind: ConnectionKind) => `/api/orgs/${orgId}/integrations/${kind}`;
export const connectionUrl = (orgId: string, kind: ConnectionKind, id: string) => `${connectionsUrl(orgId, kind)}/${id}`;
export const evaluationsUrl = (orgId: string) => `/api/orgs/${orgId}/integrations/nexus-iq/evaluations`;
