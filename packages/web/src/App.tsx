import { useCallback, useEffect, useState } from 'react';
import { api, setCsrfToken, setUnauthorizedHandler } from './lib/api.ts';
import { navigate, orgPath, parseOrgPath, usePath } from './lib/router.tsx';
import { isAdminRole, type Session } from './lib/types.ts';
import { Layout } from './components/Layout.tsx';
import { LoginPage } from './components/LoginPage.tsx';
import { AccountPage } from './components/AccountPage.tsx';
import { InvitePage } from './components/InvitePage.tsx';
import { ResetPage } from './components/ResetPage.tsx';
import { SharePage } from './components/SharePage.tsx';
import { Loading } from './components/Status.tsx';
import { ReportsPage } from './reports/ReportsPage.tsx';
import { SettingsPage } from './settings/SettingsPage.tsx';
import { WebhooksPage } from './webhooks/WebhooksPage.tsx';
import { EvaluationsPage, IntegrationsPage } from './integrations/IntegrationsPage.tsx';
import { AuditPage } from './audit/AuditPage.tsx';

const lastOrg = {
  read: (): string | null => {
    try {
      return window.localStorage.getItem('arkiv.lastOrg');
    } catch {
      return null;
    }
  },
  write: (orgId: string) => {
    try {
      window.localStorage.setItem('arkiv.lastOrg', orgId);
    } catch {
      // Storage disabled: the first organisation is the landing page instead.
    }
  },
};

/**
 * Session and routing. The session comes from GET /api/auth/me (401 → the login screen); its CSRF
 * token goes with every write. Screens are `/orgs/{orgId}/{reports|webhooks|settings}`.
 */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const path = usePath();

  const accept = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setSession(next);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => accept(null));
    api.get<Session>('/api/auth/me', { quiet401: true }).then(accept, () => accept(null));
    return () => setUnauthorizedHandler(null);
  }, [accept]);

  const logout = async () => {
    try {
      await api.post('/api/auth/logout');
    } finally {
      accept(null);
      navigate('/login', { replace: true });
    }
  };

  const route = parseOrgPath(path);
  // Land where the person last worked, else in their first organisation.
  const remembered = session?.memberships.find((m) => m.orgId === lastOrg.read());
  const first = remembered ?? session?.memberships[0];
  useEffect(() => {
    if (route && session?.memberships.some((m) => m.orgId === route.orgId)) lastOrg.write(route.orgId);
  }, [route?.orgId, session]);
  const onAccount = path === '/account';
  const onLink = /^\/(invite|reset|share)\//.test(path);
  useEffect(() => {
    if (session && !route && !onAccount && !onLink && first) navigate(orgPath(first.orgId), { replace: true });
  }, [session, route, onAccount, onLink, first]);
  const refreshSession = useCallback(() => {
    api.get<Session>('/api/auth/me').then(accept, () => undefined);
  }, [accept]);

  // A share link is for people without an account: it never waits for, or depends on, a session.
  const shared = /^\/share\/([^/]+)\/?$/.exec(path);
  if (shared) return <SharePage token={shared[1]!} />;
  if (session === undefined) return <Loading what="your session" />;
  // Links from mails and administrators: they work signed in or not.
  const link = /^\/(invite|reset)\/([A-Za-z0-9_-]+)\/?$/.exec(path);
  if (link?.[1] === 'invite') return <InvitePage token={link[2]!} session={session} onAccepted={accept} />;
  if (link?.[1] === 'reset') return <ResetPage token={link[2]!} />;
  if (session === null) return <LoginPage onLogin={accept} />;
  if (!first) {
    return (
      <main className="content narrow">
        <h1>No organisation yet</h1>
        <p>Your account ({session.user.email}) does not belong to any organisation. Ask an Owner or Administrator to add you.</p>
        <button type="button" onClick={logout}>Sign out</button>
      </main>
    );
  }
  if (onAccount) {
    return (
      <Layout session={session} membership={first} section={null} onLogout={logout}>
        <AccountPage
          email={session.user.email}
          totpEnabled={session.user.totpEnabled}
          onSessionChanged={refreshSession}
          onDeleted={() => {
            accept(null);
            navigate('/login', { replace: true });
          }}
        />
      </Layout>
    );
  }
  if (!route) return <Loading what="your organisation" />;
  const membership = session.memberships.find((m) => m.orgId === route.orgId);
  if (!membership) {
    return (
      <main className="content narrow">
        <h1>Organisation not available</h1>
        <p role="alert">You are not a member of this organisation.</p>
        <button type="button" onClick={() => navigate(orgPath(first.orgId))}>Go to {first.orgName}</button>
      </main>
    );
  }
  // The organisation requires a second factor this account lacks: its data answers 403, so send the person to enrol.
  if (membership.requireMfa && !session.user.totpEnabled) {
    return (
      <Layout session={session} membership={membership} section={route.section} onLogout={logout}>
        <section>
          <h1>Two-factor authentication required</h1>
          <p role="alert">{membership.orgName} requires two-factor authentication. Turn it on for your account to open its reports and settings.</p>
          <button type="button" className="primary" onClick={() => navigate('/account')}>
            Set up two-factor authentication
          </button>
        </section>
      </Layout>
    );
  }
  const allowed = route.section === 'reports' || route.section === 'evaluations' || isAdminRole(membership.role);
  return (
    <Layout session={session} membership={membership} section={route.section} onLogout={logout}>
      {!allowed ? (
        <section>
          <h1>Not permitted</h1>
          <p role="alert">Only Administrators and Owners of {membership.orgName} can open {route.section === 'settings' ? 'the settings' : route.section === 'audit' ? 'the audit log' : route.section}.</p>
        </section>
      ) : route.section === 'reports' ? (
        <ReportsPage key={membership.orgId} membership={membership} />
      ) : route.section === 'evaluations' ? (
        <EvaluationsPage key={membership.orgId} orgId={membership.orgId} />
      ) : route.section === 'integrations' ? (
        <IntegrationsPage key={membership.orgId} orgId={membership.orgId} />
      ) : route.section === 'audit' ? (
        <AuditPage key={membership.orgId} orgId={membership.orgId} />
      ) : route.section === 'settings' ? (
        <SettingsPage key={membership.orgId} membership={membership} userId={session.user.id} onOrgChanged={refreshSession} />
      ) : (
        <WebhooksPage key={membership.orgId} orgId={membership.orgId} />
      )}
    </Layout>
  );
}
