import type { Membership } from '../lib/types.ts';
import { OrgGeneral } from './OrgGeneral.tsx';
import { TokensPanel } from './TokensPanel.tsx';
import { MembersPanel } from './MembersPanel.tsx';
import { SigningKeysPanel } from './SigningKeysPanel.tsx';
import { SharesPanel } from './SharesPanel.tsx';
import { MfaPolicyPanel } from './MfaPolicyPanel.tsx';
import { Link, orgPath } from '../lib/router.tsx';

/** Organisation settings (seed 000's settings panel): Administrators and Owners only. */
export function SettingsPage({ membership, userId, onOrgChanged }: { membership: Membership; userId: string; onOrgChanged: () => void }) {
  return (
    <section aria-labelledby="settings-title" className="stack">
      <h1 id="settings-title">Settings</h1>
      <OrgGeneral orgId={membership.orgId} onChanged={onOrgChanged} />
      <section className="card" aria-labelledby="security-reports-title">
        <h2 id="security-reports-title">Security reports</h2>
        <p>
          Webhooks notify your systems when reports are uploaded, replaced or deleted. <Link to={orgPath(membership.orgId, 'webhooks')}>Open the webhook editor</Link>
        </p>
      </section>
      <TokensPanel orgId={membership.orgId} />
      <SigningKeysPanel orgId={membership.orgId} />
      <SharesPanel orgId={membership.orgId} />
      <MfaPolicyPanel orgId={membership.orgId} onChanged={onOrgChanged} />
      <MembersPanel orgId={membership.orgId} myRole={membership.role} myUserId={userId} />
    </section>
  );
}
