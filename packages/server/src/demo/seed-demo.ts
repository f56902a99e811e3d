import type { AppContext } from '../context.js';
import { createApiToken } from '../accounts/tokens.js';
import { createOrganization, findOrganization } from '../orgs/org-store.js';
import { addMembership, findMember } from '../accounts/memberships.js';
import { storeReports } from '../reports/report-store.js';
import { DEMO_ORG_ID, DEMO_ORG_NAME, DEMO_RELEASES } from './demo-catalogue.js';
import { demoReportsOf } from './demo-reports.js';
import { demoRequests } from './demo-requests.js';

export interface DemoSeedResult {
  orgId: string;
  created: number;
  updated: number;
  /** Only on the run that created the demo organisation: its admin token, shown that once. */
  adminToken: string | undefined;
  elapsedMs: number;
}

/**
 * Seeds the demo organisation (`npm run demo`, `arkiv serve --demo`). Idempotent: a second run
 * finds every report by its identity and replaces it (same id, same files, new uploadDate); it
 * never adds a report or an organisation. Reports are stored through `storeReports` with the
 * context's hooks, so webhook endpoints of the demo organisation see created/updated events.
 */
export async function seedDemo(ctx: AppContext, options: { print: (text: string) => void }): Promise<DemoSeedResult> {
  const started = performance.now();
  const orgCreated = await ensureDemoOrganization(ctx);
  await shareWithOwners(ctx);
  const adminToken = orgCreated
    ? (await createApiToken(ctx.db, { orgId: DEMO_ORG_ID, name: 'demo admin', scopes: ['admin'], now: ctx.now() })).token
    : undefined;
  let created = 0;
  let updated = 0;
  for (const release of DEMO_RELEASES) {
    const reports = await demoReportsOf(ctx, release);
    const stored = await storeReports(ctx.db, ctx.reportHooks, { orgId: DEMO_ORG_ID, reports, initiator: 'system', now: ctx.now() });
    for (const s of stored) {
      if (s.created) created++;
      else updated++;
    }
  }
  const result = { orgId: DEMO_ORG_ID, created, updated, adminToken, elapsedMs: Math.round(performance.now() - started) };
  printSummary(ctx, result, options.print);
  return result;
}

async function ensureDemoOrganization(ctx: AppContext): Promise<boolean> {
  if (await findOrganization(ctx.db, DEMO_ORG_ID)) return false;
  try {
    await createOrganization(ctx.db, { id: DEMO_ORG_ID, name: DEMO_ORG_NAME, now: ctx.now() });
    return true;
  } catch (error) {
    // Another process seeding at the same moment won the insert: the organisation exists, which is all we need.
    if (await findOrganization(ctx.db, DEMO_ORG_ID)) return false;
    throw error;
  }
}

/** Owners of the instance can browse the demo in the dashboard at once: each becomes its owner too. */
async function shareWithOwners(ctx: AppContext): Promise<void> {
  const owners = await ctx.db
    .selectFrom('memberships')
    .select('user_id')
    .distinct()
    .where('role', '=', 'owner')
    .where('org_id', '!=', DEMO_ORG_ID)
    .execute();
  for (const { user_id: userId } of owners) {
    if (!(await findMember(ctx.db, DEMO_ORG_ID, userId))) await addMembership(ctx.db, { orgId: DEMO_ORG_ID, userId, role: 'owner', now: ctx.now() });
  }
}

function printSummary(ctx: AppContext, result: DemoSeedResult, print: (text: string) => void): void {
  const requests = demoRequests(ctx.config.publicUrl);
  print('');
  print(`Demo data: organisation "${DEMO_ORG_NAME}" (${result.orgId}), ${result.created + result.updated} reports ` +
    `(${result.created} created, ${result.updated} updated) in ${result.elapsedMs} ms.`);
  if (result.adminToken) {
    print(`  Demo admin token (shown only this once): ${result.adminToken}`);
  }
  print('  List the reports of version 1.0 (the example of the API contract, docs/api.md):');
  print(`    ${requests.listExact}`);
  print('  List a version range (prereleases included by precedence):');
  print(`    ${requests.listRange}`);
  print('  Download two reports as one ZIP (HTML, PDF, manifest.json):');
  print(`    ${requests.download}`);
  print('');
}
