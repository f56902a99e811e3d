import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';

/** The members of the server's test helpers these tests use (imported by URL, see server.ts). */
interface TestAccount {
  id: string;
  password: string;
  email?: string;
  emailVerified?: boolean;
  groups?: string[];
}
interface OidcProviderModule {
  startOidcProvider(): Promise<{
    arkivEnv: Record<string, string>;
    registerRedirectUri(uri: string): void;
    setAccount(account: TestAccount): void;
    stop(): Promise<void>;
  }>;
}
interface SsoSettingsModule {
  writeSsoSettings(db: unknown, orgId: string, settings: { groupRoles: Record<string, string>; required: boolean }, now: number): Promise<void>;
}

const serverSrc = new URL('../../server/src/', import.meta.url);
const load = async <T,>(file: string) => (await import(new URL(file, serverSrc).href)) as T;

describe('single sign-on in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  let op: Awaited<ReturnType<OidcProviderModule['startOidcProvider']>>;
  before(async () => {
    op = await (await load<OidcProviderModule>('test/oidc-provider.ts')).startOidcProvider();
    dash = await startDashboard(op.arkivEnv);
    op.registerRedirectUri(`${dash.server.url}/api/auth/oidc/callback`);
    // The test organisation gives its administrators' group the admin role.
    const { writeSsoSettings } = await load<SsoSettingsModule>('accounts/sso-settings.ts');
    await writeSsoSettings(dash.server.ctx.db, dash.server.orgId, { groupRoles: { 'arkiv-admins': 'admin' }, required: false }, Date.now());
  });
  after(async () => {
    await dash?.close();
    await op?.stop();
  });

  const account = (overrides: Partial<TestAccount> = {}): TestAccount => {
    const id = `person-${crypto.randomUUID().slice(0, 8)}`;
    const created = { id, password: `pw-${id}`, email: `${id}@example.test`, emailVerified: true, groups: ['arkiv-admins'], ...overrides };
    op.setAccount(created);
    return created;
  };

  /** At the provider's pages: its login form, then its consent page. */
  async function atProvider(page: import('playwright-core').Page, person: TestAccount): Promise<void> {
    await page.getByLabel('Login').fill(person.id);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  it('signs in with "Sign in with SSO": provider login and consent, back in the dashboard with the role the groups give', async () => {
    const person = account();
    const page = await dash.newPage();
    await page.goto(dash.server.url);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.waitForURL((url) => !url.href.startsWith(dash.server.url));
    await atProvider(page, person);
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    assert.ok(page.url().startsWith(`${dash.server.url}/orgs/${dash.server.orgId}/`), page.url());
    await page.getByText(person.email!).first().waitFor();
    // Administrators see Settings: the role came from the group map.
    await page.getByRole('link', { name: 'Settings', exact: true }).waitFor();
    await dash.screenshot(page, 'sso-signed-in');
    assert.deepEqual(dash.browserProblems, []);
  });

  it('explains a refusal on the sign-in page (an email the provider has not verified)', async () => {
    const person = account({ emailVerified: false });
    const page = await dash.newPage();
    await page.goto(dash.server.url);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.waitForURL((url) => !url.href.startsWith(dash.server.url));
    await atProvider(page, person);
    await page.getByRole('alert').filter({ hasText: 'did not confirm an email address' }).waitFor();
    assert.ok(page.url().endsWith('/login?ssoError=sso_email_unverified'), page.url());
    await page.getByRole('link', { name: 'Sign in with SSO' }).waitFor();
    await dash.screenshot(page, 'sso-refused');
  });
});
