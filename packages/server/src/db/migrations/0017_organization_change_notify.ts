import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect-sql.js';

/**
 * PostgreSQL: every insert, update or delete of an organisation row NOTIFYs its id inside the
 * writing transaction (delivered at commit, never for a rollback). Report changes move the row's
 * `reports_revision`, so every process's read-access cache (db/change-token.ts) hears of every
 * change that could alter a list answer, whichever process or tool made it. A trigger rather than
 * calls in code: a write path added later cannot forget it. SQLite needs nothing (data_version).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`
    create function arkiv_notify_organization_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('arkiv_organization_changed', coalesce(new.id, old.id));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger organizations_notify_change after insert or update or delete on organizations
    for each row execute function arkiv_notify_organization_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop trigger if exists organizations_notify_change on organizations`.execute(db);
  await sql`drop function if exists arkiv_notify_organization_change()`.execute(db);
}

