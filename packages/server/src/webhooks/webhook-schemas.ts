import { Type, type Static } from '@sinclair/typebox';
import { EVENT_TYPE_PATTERN, REPORT_EVENT_TYPES } from './event-types.js';
import { Text } from '../http/text-input.js';

const Names = Type.Array(Text({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 50 });

export const FiltersSchema = Type.Object(
  {
    projectName: Type.Optional(Names),
    reportType: Type.Optional(Names),
  },
  { additionalProperties: false, description: 'The endpoint receives a report event when one of its reports matches every given filter' },
);

export const RetryPolicySchema = Type.Object(
  {
    strategy: Type.Union([Type.Literal('fixed'), Type.Literal('exponential')], { description: 'fixed: every intervalSeconds; exponential: 1 min doubling to 1 h, jittered' }),
    intervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 86_400 })),
    horizonHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 365, description: 'Give up after this many hours' })),
  },
  { additionalProperties: false },
);

const fields = {
  url: Text({ minLength: 1, maxLength: 2048, description: 'http or https; must resolve to a public address' }),
  description: Text({ maxLength: 500 }),
  enabled: Type.Boolean(),
  events: Type.Array(Type.String({ pattern: EVENT_TYPE_PATTERN, maxLength: 100 }), {
    minItems: 1,
    maxItems: 50,
    description: `Event types; "prefix.*" matches a family. Default: ${REPORT_EVENT_TYPES.join(', ')}`,
  }),
  filters: Type.Union([FiltersSchema, Type.Null()]),
  signatureScheme: Type.Union([Type.Literal('arkiv'), Type.Literal('standard-webhooks'), Type.Literal('nexus-iq')], { default: 'arkiv' }),
  signatureAlgorithm: Type.Union([Type.Literal('HmacSHA1'), Type.Literal('HmacSHA256'), Type.Literal('Ed25519'), Type.Null()], {
    description: 'nexus-iq: HmacSHA1 (default) or HmacSHA256; standard-webhooks: HmacSHA256 (default, v1) or Ed25519 (v1a: receivers verify with the public key alone)',
  }),
  retryPolicy: Type.Union([RetryPolicySchema, Type.Null()], { description: 'null: the server default (hourly for 72 h)' }),
};

export const CreateEndpointSchema = Type.Object(
  {
    url: fields.url,
    description: Type.Optional(fields.description),
    enabled: Type.Optional(fields.enabled),
    events: Type.Optional(fields.events),
    filters: Type.Optional(fields.filters),
    signatureScheme: Type.Optional(fields.signatureScheme),
    signatureAlgorithm: Type.Optional(fields.signatureAlgorithm),
    retryPolicy: Type.Optional(fields.retryPolicy),
  },
  { additionalProperties: false },
);
export type CreateEndpointInput = Static<typeof CreateEndpointSchema>;

// No defaults in a patch: the validator would fill them in, and a PATCH of one field would reset the
// scheme of every standard-webhooks or nexus-iq endpoint to arkiv.
const { default: _schemeDefault, ...schemeWithoutDefault } = fields.signatureScheme;
export const UpdateEndpointSchema = Type.Partial(
  Type.Object({ ...CreateEndpointSchema.properties, signatureScheme: schemeWithoutDefault as typeof fields.signatureScheme }, { additionalProperties: false }),
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateEndpointInput = Static<typeof UpdateEndpointSchema>;

const Timestamp = Type.String({ description: 'ISO 8601' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const EndpointSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  organizationId: Type.String({ format: 'uuid' }),
  url: fields.url,
  description: fields.description,
  enabled: fields.enabled,
  events: Type.Array(Type.String()),
  filters: fields.filters,
  signatureScheme: fields.signatureScheme,
  signatureAlgorithm: fields.signatureAlgorithm,
  retryPolicy: fields.retryPolicy,
  previousSecretExpiresAt: Type.Union([Timestamp, Type.Null()], { description: 'Until then the rotated-out secret also signs' }),
  failingSince: Type.Union([Timestamp, Type.Null()], { description: 'Start of the current run of failed attempts' }),
  disabledAt: NullableTimestamp,
  disabledReason: Type.Union([Type.String({ description: 'manual, gone (HTTP 410) or failing (past the retry horizon)' }), Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { $id: 'Webhook' });

const PublicKey = Type.String({ pattern: '^whpk_[A-Za-z0-9+/]{43}=$', description: 'Ed25519 endpoints: whpk_ + base64 of the raw 32-byte public key' });

export const CreatedEndpointSchema = Type.Object({
  ...EndpointSchema.properties,
  secret: Type.Optional(Type.String({ description: 'HMAC endpoints: shown once; GET …/secret reveals it to admins' })),
  publicKey: Type.Optional(PublicKey),
});

/** HMAC endpoints show their secrets; Ed25519 endpoints only their public keys (the private key never leaves the server). */
export const SecretSchema = Type.Object({
  secret: Type.Optional(Type.String()),
  previousSecret: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  publicKey: Type.Optional(PublicKey),
  previousPublicKey: Type.Optional(Type.Union([PublicKey, Type.Null()])),
  previousSecretExpiresAt: NullableTimestamp,
});

export const RotateSchema = Type.Object(
  { graceHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 30, description: 'How long the old secret keeps signing (default 24)' })) },
  { additionalProperties: false },
);

export const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });
export const EndpointParams = Type.Object({ orgId: Type.String({ format: 'uuid' }), id: Type.String({ format: 'uuid' }) });

export const DeliveryStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('abandoned')]);

export const DeliverySchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The delivery id receivers see (idempotency key)' }),
  webhookId: Type.String({ format: 'uuid' }),
  eventId: Type.String({ format: 'uuid' }),
  event: Type.String({ description: 'Event type' }),
  status: DeliveryStatusSchema,
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Timestamp, Type.Null()], { description: 'Pending only' }),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  completedAt: NullableTimestamp,
}, { $id: 'Delivery' });

export const AttemptSchema = Type.Object({
  attempt: Type.Integer(),
  startedAt: Timestamp,
  durationMs: Type.Integer(),
  requestHeaders: Type.Record(Type.String(), Type.String()),
  responseStatus: Type.Union([Type.Integer(), Type.Null()]),
  responseHeaders: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  responseBody: Type.Union([Type.String({ description: 'First 4 KiB' }), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
});

export const DeliveryDetailSchema = Type.Object({
  ...DeliverySchema.properties,
  body: Type.String({ description: 'The exact bytes every attempt sends' }),
  attemptLog: Type.Array(AttemptSchema),
}, { $id: 'DeliveryDetail' });

export const DeliveryListQuery = Type.Object({
  status: Type.Optional(DeliveryStatusSchema),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
});

export const BulkRedeliverSchema = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'Deliveries created at or after' }),
    until: Type.String({ format: 'date-time', description: 'Deliveries created at or before' }),
  },
  { additionalProperties: false },
);
