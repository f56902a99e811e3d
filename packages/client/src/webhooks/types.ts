/** Signature schemes an endpoint can choose. `arkiv` is the default. */
export const WEBHOOK_SCHEMES = ['arkiv', 'standard-webhooks', 'nexus-iq'] as const;
export type WebhookScheme = (typeof WEBHOOK_SCHEMES)[number];

/** HMAC algorithms, spelled as the `*-Signature-Algorithm` headers carry them (Java names, seed 004). */
export type HmacAlgorithm = 'HmacSHA1' | 'HmacSHA256';

/** What an endpoint signs with: an HMAC, or (`standard-webhooks` only) an Ed25519 key pair. */
export type SignatureAlgorithm = HmacAlgorithm | 'Ed25519';

/** The exact bytes sent on the wire. A string is taken as its UTF-8 encoding. */
export type WebhookBody = Uint8Array | string;

/** Request headers as a fetch `Headers` or a plain object (Node's `req.headers` fits). */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface SignWebhookInput {
  scheme?: WebhookScheme;
  /**
   * Current secret first; during rotation the previous one second. Each produces one signature.
   * For `standard-webhooks` with `algorithm: 'Ed25519'`, the private keys (`whsk_…`).
   */
  secrets: readonly string[];
  body: WebhookBody;
  /** Event type, e.g. `report.created`. Standard Webhooks carries it in the payload, not a header. */
  eventType: string;
  /** Delivery UUID, stable across retries of the same delivery. */
  deliveryId: string;
  /** Unix seconds of this attempt; defaults to now. Ignored by `nexus-iq`, which has no timestamp. */
  timestamp?: number;
  /**
   * `nexus-iq`: HmacSHA1 (default) or HmacSHA256. `standard-webhooks`: HmacSHA256 (default, `v1`) or
   * Ed25519 (`v1a`). `arkiv` is always HmacSHA256.
   */
  algorithm?: SignatureAlgorithm;
}

export interface VerifyWebhookInput {
  scheme?: WebhookScheme;
  /**
   * The endpoint's secret; for `standard-webhooks` endpoints signing with Ed25519, its public key
   * `whpk_…` (the private key never leaves the sender): then `v1a` signatures are verified.
   */
  secret: string;
  body: WebhookBody;
  headers: HeaderSource;
  /** Largest accepted distance between the timestamp and `now`, either direction. Default 300. */
  toleranceSeconds?: number;
  /** Current time in unix seconds; defaults to the clock. */
  now?: number;
  /** Pin the algorithm instead of trusting the request's algorithm header (`nexus-iq` only). */
  algorithm?: HmacAlgorithm;
}

export type VerifyFailureReason =
  | 'missing_header'
  | 'malformed_header'
  | 'bad_signature'
  | 'timestamp_out_of_range'
  | 'unsupported_algorithm';

export type VerifyWebhookResult =
  | {
      ok: true;
      /** Null for `standard-webhooks`: the spec puts the type in the payload (`type`). */
      eventType: string | null;
      deliveryId: string;
      /** Null for `nexus-iq`, which carries no timestamp. */
      timestamp: number | null;
    }
  | { ok: false; reason: VerifyFailureReason };

export type VerifyFailure = Extract<VerifyWebhookResult, { ok: false }>;

export const fail = (reason: VerifyFailureReason): VerifyFailure => ({ ok: false, reason });
