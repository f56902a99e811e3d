import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import type { SecretBox } from '../secrets.js';
import { formatTimestamp } from '../shared/timestamp.js';
import { keyFingerprint, newEd25519KeyPair } from './ed25519-jwk.js';
import type { OrgSigningKeysTable } from './schema.js';

export interface SigningKeyInfo {
  kid: string;
  /** base64url raw public key (JWK `x`). */
  x: string;
  fingerprint: string;
  createdAt: string;
  /** Null for the key that signs now. */
  notAfter: string | null;
}

type Row = OrgSigningKeysTable;

export function toKeyInfo(row: Pick<Row, 'kid' | 'public_key' | 'created_at' | 'not_after'>): SigningKeyInfo {
  return {
    kid: row.kid,
    x: row.public_key,
    fingerprint: keyFingerprint(row.public_key),
    createdAt: formatTimestamp(Number(row.created_at)),
    notAfter: row.not_after === null ? null : formatTimestamp(Number(row.not_after)),
  };
}

function newRow(box: Pick<SecretBox, 'seal'>, orgId: string, now: number): Row {
  const pair = newEd25519KeyPair();
  return { kid: pair.kid, org_id: orgId, public_key: pair.x, private_key_sealed: box.seal(pair.privatePkcs8), created_at: now, not_after: null };
}

const currentRow = (db: Kysely<Database>, orgId: string) =>
  db.selectFrom('org_signing_keys').selectAll().where('org_id', '=', orgId).where('not_after', 'is', null).executeTakeFirst();

/**
 * The organisation's current key, created on first use. Two processes may both try to create it:
 * the partial unique index lets one insert win and the other re-reads the winner.
 */
export async function currentSigningKey(db: Kysely<Database>, box: Pick<SecretBox, 'seal'>, orgId: string, now: number): Promise<Row> {
  const found = await currentRow(db, orgId);
  if (found) return found;
  await db.insertInto('org_signing_keys').values(newRow(box, orgId, now)).onConflict((oc) => oc.doNothing()).execute();
  const created = await currentRow(db, orgId);
  if (!created) throw new Error(`no signing key for organisation ${orgId}`);
  return created;
}

/** Every key of an organisation, newest first: the current one and every retired one, which still verify. */
export async function listSigningKeys(db: Kysely<Database>, orgId: string): Promise<SigningKeyInfo[]> {
  const rows = await db
    .selectFrom('org_signing_keys')
    .select(['kid', 'public_key', 'created_at', 'not_after'])
    .where('org_id', '=', orgId)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
  return rows.map(toKeyInfo);
}

/**
 * Retires the current key (it stays published with `notAfter`) and makes a new one that signs from
 * now on. One transaction: a reader sees the old key current or the new one, never none or two.
 */
export async function rotateSigningKey(db: Kysely<Database>, box: Pick<SecretBox, 'seal'>, orgId: string, now: number): Promise<SigningKeyInfo> {
  const row = newRow(box, orgId, now);
  await inTransaction(db, async (trx) => {
    await trx.updateTable('org_signing_keys').set({ not_after: now }).where('org_id', '=', orgId).where('not_after', 'is', null).execute();
    await trx.insertInto('org_signing_keys').values(row).execute();
  });
  return toKeyInfo(row);
}

/** Opens a sealed private key once per sealed value: AES-GCM plus key parsing per download would be waste. */
export function privateKeyCache(box: Pick<SecretBox, 'open'>): (sealed: string) => crypto.KeyObject {
  const opened = new Map<string, crypto.KeyObject>();
  return (sealed) => {
    let key = opened.get(sealed);
    if (!key) {
      key = crypto.createPrivateKey({ key: Buffer.from(box.open(sealed), 'base64url'), format: 'der', type: 'pkcs8' });
      // Keys are few (one current per organisation); the bound only stops rotated-out keys piling up.
      if (opened.size >= 1000) opened.clear();
      opened.set(sealed, key);
    }
    return key;
  };
}
