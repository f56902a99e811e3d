import type { ReactNode } from 'react';
import { Link, navigate, orgPath, type Section } from '../lib/router.tsx';
import { isAdminRole, type Membership, type Session } from '../lib/types.ts';

const ROLE_NAMES = { owner: 'Owner', admin: 'Administrator', member: 'Member' } as const;

/**
 * Header (brand, organisation switcher, account), navigation and the screen. Settings, Audit and
 * Webhooks links exist only for Administrators and Owners; the server refuses others anyway.
 */
export function Layout({ session, membership, section, onLogout, children }: { session: Session; membership: Membership; section: Section | null; onLogout: () => void; children: ReactNode }) {
  // Nexus IQ evaluations are report data: every member may read them.
  const links: Array<{ section: Section; label: string }> = [{ section: 'reports', label: 'Reports' }, { section: 'evaluations', label: 'Evaluations' }];
  if (isAdminRole(membership.role)) links.push({ section: 'webhooks', label: 'Webhooks' }, { section: 'integrations', label: 'Integrations' }, { section: 'audit', label: 'Audit' }, { section: 'settings', label: 'Settings' });
  // A Member switching from an organisation they administer lands on Reports, not on a refusal.
  const switchTo = (orgId: string) => {
    const target = session.memberships.find((m) => m.orgId === orgId);
    navigate(orgPath(orgId, section && target && isAdminRole(target.role) ? section : 'reports'));
  };
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Arkiv</span>
        <label className="org-switcher">
          <span className="visually-hidden">Organisation</span>
          <select value={membership.orgId} onChange={(e) => switchTo(e.target.value)}>
            {session.memberships.map((m) => (
              <option key={m.orgId} value={m.orgId}>
                {m.orgName}
              </option>
            ))}
          </select>
        </label>
        <span className="role-badge" title="Your role in this organisation">
          {ROLE_NAMES[membership.role]}
        </span>
        <span className="account">
          <Link to="/account" className="email" aria-current={section === null ? 'page' : undefined} title="Account: password, two-factor authentication, sessions">
            {session.user.email}
          </Link>
          <button type="button" className="link" onClick={onLogout}>
            Sign out
          </button>
        </span>
      </header>
      <nav className="tabs" aria-label="Main">
        {links.map((link) => (
          <Link key={link.section} to={orgPath(membership.orgId, link.section)} aria-current={link.section === section ? 'page' : undefined}>
            {link.label}
          </Link>
        ))}
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}
