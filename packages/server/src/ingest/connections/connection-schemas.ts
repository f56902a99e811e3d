import { Type, type Static } from '@sinclair/typebox';
import type { Connection } from './connection-store.js';
import type { EventSummary } from '../events-store.js';
import { Text } from '../../http/text-input.js';

export const KindSchema = Type.Union([Type.Literal('sonarqube'), Type.Literal('nexus-iq')]);
export const KindParams = Type.Object({ orgId: Type.String({ format: 'uuid' }), kind: KindSchema });
export const ConnectionParams = Type.Object({ orgId: Type.String({ format: 'uuid' }), kind: KindSchema, id: Type.String({ format: 'uuid' }) });

const ProjectMap = Type.Record(Text({ minLength: 1, maxLength: 400 }), Text({ minLength: 1, maxLength: 200 }), {
  description: 'SonarQube project key → Arkiv projectName; when empty, every project is accepted under its SonarQube name',
});
const HttpUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 });

export const CreateConnectionBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    serverUrl: Type.Optional(HttpUrl),
    token: Type.Optional(Text({ minLength: 1, maxLength: 1000, description: 'SonarQube user token; stored encrypted, never returned' })),
    projects: Type.Optional(ProjectMap),
  },
  { additionalProperties: false },
);
export type CreateConnectionBody = Static<typeof CreateConnectionBody>;

export const UpdateConnectionBody = Type.Object(
  {
    name: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
    serverUrl: Type.Optional(HttpUrl),
    token: Type.Optional(Text({ minLength: 1, maxLength: 1000 })),
    projects: Type.Optional(ProjectMap),
    rotateSecret: Type.Optional(Type.Boolean({ description: 'Issue a new webhook secret; the old one stops working at once' })),
  },
  { additionalProperties: false },
);

const EventSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  eventType: Type.String(),
  deliveryId: Type.String(),
  receivedAt: Type.String(),
  status: Type.String({ enum: ['received', 'queued', 'imported', 'ignored', 'retrying', 'failed'] }),
  detail: Type.Union([Type.String(), Type.Null()]),
});

export const ConnectionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: KindSchema,
  name: Type.String(),
  webhookUrl: Type.String({ description: 'Paste into SonarQube (Project or Administration > Webhooks) or Nexus IQ (System Preferences > Webhooks)' }),
  secret: Type.String({ description: 'The webhook secret to paste next to the URL' }),
  serverUrl: Type.Union([Type.String(), Type.Null()]),
  hasToken: Type.Boolean(),
  projects: Type.Record(Type.String(), Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  lastEvents: Type.Array(EventSchema),
}, { $id: 'Connection' });

export function connectionView(connection: Connection, publicUrl: string, lastEvents: EventSummary[]): Static<typeof ConnectionSchema> {
  return {
    id: connection.id,
    kind: connection.kind,
    name: connection.name,
    webhookUrl: `${publicUrl}/integrations/${connection.kind}/${connection.id}/webhook`,
    secret: connection.secret,
    serverUrl: connection.serverUrl,
    hasToken: connection.token !== null,
    projects: connection.projects,
    createdAt: new Date(connection.createdAt).toISOString(),
    updatedAt: new Date(connection.updatedAt).toISOString(),
    lastEvents,
  };
}
