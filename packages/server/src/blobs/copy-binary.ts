import type pg from 'pg';

/** The 11-byte signature that starts every binary COPY stream. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Runs `COPY (query) TO STDOUT (FORMAT binary)` and returns its rows' fields as slices of the
 * bytes PostgreSQL sent: bytea arrives as raw bytes, with no hex or base64 text to build and
 * decode (pg's own row parser turns every field into a UTF-8 string, which corrupts binary). The
 * whole answer is read before returning, so the connection is free again at once; callers bound
 * it by what they ask for. Format: PostgreSQL docs, "COPY", section "Binary Format".
 */
export async function copyBinaryRows(client: pg.PoolClient, query: string): Promise<Buffer[][]> {
  const { to: copyTo } = await import('pg-copy-streams');
  const parts: Buffer[] = [];
  for await (const part of client.query(copyTo(`copy (${query}) to stdout (format binary)`))) parts.push(part as Buffer);
  return parseCopyBinary(Buffer.concat(parts));
}

export function parseCopyBinary(bytes: Buffer): Buffer[][] {
  if (bytes.length < 19 || !bytes.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
  let at = 15 + 4 + bytes.readUInt32BE(15);
  const rows: Buffer[][] = [];
  for (;;) {
    const fields = bytes.readInt16BE(at);
    at += 2;
    if (fields === -1) return rows;
    const row: Buffer[] = [];
    for (let i = 0; i < fields; i++) {
      const length = bytes.readInt32BE(at);
      at += 4;
      if (length < 0) throw new Error('unexpected NULL in a binary COPY row');
      if (at + length > bytes.length) throw new Error('binary COPY stream cut short');
      row.push(bytes.subarray(at, at + length));
      at += length;
    }
    rows.push(row);
  }
}
