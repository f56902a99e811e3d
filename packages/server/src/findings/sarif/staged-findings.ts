import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';
import type { FindingRecord } from '../finding-model.js';

/** One place a finding is listed in a rendered report: a category of a standard, with the keys the report sorts by. */
export interface Listing {
  standard: string;
  category: string;
  /** The renderer's grade, 'A' (best) … 'E' (worst). */
  grade: string;
  component: string;
  line: number;
}

/**
 * The findings of an uploaded SARIF log, staged on disk until the report's transaction stores
 * them: a private SQLite file in the staging directory (whatever engine the server runs on), so a
 * log of any number of results costs the same memory. Results go in as they stream by (`addResult`),
 * become findings once the whole log has been checked (`convert`), and come out a page at a time
 * (`findings`). `convert` also indexes what a rendered report needs (first finding per key, its
 * categories, grade and location), so counts, the rating and the worst findings of a category are
 * queries, not lists held in memory. `close` removes the file; one left by a crash is swept with
 * the other stale staging files.
 */
export class StagedFindings implements AsyncIterable<FindingRecord> {
  private readonly db: SQLite.Database;
  private readonly insertPending: SQLite.Statement;
  private pending = 0;
  private stored = 0;

  private constructor(readonly file: string) {
    const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof SQLite;
    this.db = new Sqlite(file);
    // A scratch file: no journal, no fsync; nothing in it outlives the upload.
    this.db.pragma('journal_mode = off');
    this.db.pragma('synchronous = off');
    this.db.exec(`
      create table pending (seq integer primary key, result text not null);
      create table finding (seq integer primary key, record text not null);
      create table first_key (key text primary key) without rowid;
      create table listing (standard text not null, category text not null, grade text not null, component text not null, line integer not null, key text not null, seq integer not null);
      begin;
    `);
    this.insertPending = this.db.prepare('insert into pending (seq, result) values (?, ?)');
  }

  static async open(dir: string): Promise<StagedFindings> {
    await fs.promises.mkdir(dir, { recursive: true });
    return new StagedFindings(path.join(dir, `sarif-${crypto.randomUUID()}.findings`));
  }

  /** What a finding needs from one result (JSON-serialisable), in log order. */
  addResult(pending: unknown): void {
    this.insertPending.run(this.pending++, JSON.stringify(pending));
  }

  /**
   * Turns the staged results into findings, in log order, once the whole log is known (rules and
   * artifacts may come after the results). `listingsOf` is asked only for the first finding of
   * each key: a report counts and lists a key once, as the first occurrence says.
   */
  convert<P>(toFinding: (pending: P) => FindingRecord, keyOf: (finding: FindingRecord) => string, listingsOf: (finding: FindingRecord) => Listing[]): void {
    const page = this.db.prepare('select seq, result from pending where seq > ? order by seq limit 1000');
    const insertFinding = this.db.prepare('insert into finding (seq, record) values (?, ?)');
    const firstKey = this.db.prepare('insert or ignore into first_key (key) values (?)');
    const insertListing = this.db.prepare('insert into listing (standard, category, grade, component, line, key, seq) values (?, ?, ?, ?, ?, ?, ?)');
    let after = -1;
    for (;;) {
      const rows = page.all(after) as { seq: number; result: string }[];
      for (const row of rows) {
        const finding = toFinding(JSON.parse(row.result) as P);
        insertFinding.run(row.seq, JSON.stringify(finding));
        const key = keyOf(finding);
        if (firstKey.run(key).changes === 1) {
          for (const l of listingsOf(finding)) insertListing.run(l.standard, l.category, l.grade, l.component, l.line, key, row.seq);
        }
      }
      if (rows.length < 1000) break;
      after = rows[rows.length - 1]!.seq;
    }
    this.db.exec('delete from pending; commit; create index listing_worst on listing (standard, category, grade desc, component, line, key);');
    this.stored = this.pending;
  }

  get count(): number {
    return this.stored;
  }

  /** Keys listed in at least one category of the standard, each once, and the worst grade among them. */
  covered(standard: string): { keys: number; worstGrade: string | null } {
    const row = this.db.prepare('select count(distinct key) as keys, max(grade) as worst from listing where standard = ?').get(standard) as { keys: number; worst: string | null };
    return { keys: row.keys, worstGrade: row.worst };
  }

  /** Keys listed per category of the standard. */
  categoryCounts(standard: string): Map<string, number> {
    const rows = this.db.prepare('select category, count(*) as n from listing where standard = ? group by category').all(standard) as { category: string; n: number }[];
    return new Map(rows.map((r) => [r.category, r.n]));
  }

  /** The `limit` worst findings of a category: grade, then location, then key (the renderer's order). */
  worst(standard: string, category: string, limit: number): FindingRecord[] {
    const rows = this.db
      .prepare('select f.record from listing l join finding f on f.seq = l.seq where l.standard = ? and l.category = ? order by l.grade desc, l.component, l.line, l.key limit ?')
      .all(standard, category, limit) as { record: string }[];
    return rows.map((r) => JSON.parse(r.record) as FindingRecord);
  }

  /** Every finding in log order, a page at a time. */
  async *findings(pageSize = 500): AsyncGenerator<FindingRecord> {
    const page = this.db.prepare('select seq, record from finding where seq > ? order by seq limit ?');
    let after = -1;
    for (;;) {
      const rows = page.all(after, pageSize) as { seq: number; record: string }[];
      for (const row of rows) yield JSON.parse(row.record) as FindingRecord;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  /** Each iteration reads them anew: a transaction run again (storeReports retries) stores them all again. */
  [Symbol.asyncIterator](): AsyncIterator<FindingRecord> {
    return this.findings();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    await fs.promises.rm(this.file, { force: true });
  }
}
