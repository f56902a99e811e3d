import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { CreatedInvitation, Invitation, Member, Role } from '../lib/types.ts';
import { CopyField } from '../integrations/CopyField.tsx';
import { useLoad } from '../lib/use-load.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { Field } from '../components/Field.tsx';

const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Administrator', member: 'Member' };

/** Roles this user may hand out or take away: only Owners manage Owners (the server enforces it too). */
export const assignableRoles = (myRole: Role): Role[] => (myRole === 'owner' ? ['member', 'admin', 'owner'] : ['member', 'admin']);

/**
 * Members: invite (a single-use link, mailed when the server has SMTP and shown here either way),
 * pending invitations, change role, remove. Nobody chooses a password for someone else.
 */
export function MembersPanel({ orgId, myRole, myUserId }: { orgId: string; myRole: Role; myUserId: string }) {
  const members = useLoad(() => api.get<{ members: Member[] }>(`/api/orgs/${orgId}/members`).then((b) => b.members), [orgId]);
  const invitations = useLoad(() => api.get<{ invitations: Invitation[] }>(`/api/orgs/${orgId}/invitations`).then((b) => b.invitations), [orgId]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [link, setLink] = useState<CreatedInvitation | null>(null);
  const roles = assignableRoles(myRole);

  const act = async (work: () => Promise<unknown>, done: string) => {
    setError(null);
    setNotice(null);
    setLink(null);
    try {
      await work();
      setNotice(done);
      members.reload();
      invitations.reload();
      return true;
    } catch (caught) {
      setError(errorMessage(caught));
      return false;
    }
  };
  const invite = async (event: FormEvent) => {
    event.preventDefault();
    if (!/^\S+@\S+$/.test(email.trim())) return setError('Enter the email address of the person to invite');
    let created: CreatedInvitation | null = null;
    const done = await act(async () => {
      created = await api.post<CreatedInvitation>(`/api/orgs/${orgId}/invitations`, { email: email.trim(), role });
    }, `Invited ${email.trim()} as ${ROLE_LABELS[role]}.`);
    if (done && created) {
      const invitation: CreatedInvitation = created;
      setLink(invitation);
      setNotice(`Invited ${invitation.email} as ${ROLE_LABELS[invitation.role]}. ${invitation.mailed ? 'The link was mailed to them; it is also below.' : 'No mail is configured: hand them the link below.'} It works once, until ${new Date(invitation.expiresAt).toLocaleString()}.`);
      setEmail('');
    }
  };

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <form className="inline-form" onSubmit={invite}>
        <Field label="Email to invite">
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Role">
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="primary">
          Invite
        </button>
      </form>
      <ErrorMessage message={error} />
      {notice ? <Notice>{notice}</Notice> : null}
      {link ? <CopyField label="Invitation link" value={link.url} what="Link" /> : null}
      {invitations.data && invitations.data.length > 0 ? (
        <div className="table-scroll">
          <table aria-label="Pending invitations">
            <thead>
              <tr>
                <th scope="col">Invited email</th>
                <th scope="col">Role</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invitations.data.map((invitation) => (
                <tr key={invitation.id}>
                  <td>{invitation.email}</td>
                  <td>{ROLE_LABELS[invitation.role]}</td>
                  <td>{Date.parse(invitation.expiresAt) <= Date.now() ? 'expired' : new Date(invitation.expiresAt).toLocaleString()}</td>
                  <td>
                    <ConfirmButton
                      label="Revoke"
                      confirmLabel={`Revoke the invitation of ${invitation.email}`}
                      onConfirm={() => void act(() => api.delete(`/api/orgs/${orgId}/invitations/${invitation.id}`), `Revoked the invitation of ${invitation.email}.`)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ErrorMessage message={members.error} onRetry={members.reload} />
      {members.loading && !members.data ? <Loading what="members" /> : null}
      {members.data && members.data.length === 0 ? <Empty>No members.</Empty> : null}
      {members.data && members.data.length > 0 ? (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.data.map((member) => {
                const editable = roles.includes(member.role) && member.userId !== myUserId;
                return (
                  <tr key={member.userId}>
                    <td>{member.email}</td>
                    <td>
                      <select
                        aria-label={`Role of ${member.email}`}
                        value={member.role}
                        disabled={!editable}
                        onChange={(e) => void act(() => api.patch(`/api/orgs/${orgId}/members/${member.userId}`, { role: e.target.value }), `${member.email} is now ${ROLE_LABELS[e.target.value as Role]}.`)}
                      >
                        {(editable ? roles : [member.role]).map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {editable ? (
                        <ConfirmButton label="Remove" confirmLabel={`Remove ${member.email}`} onConfirm={() => void act(() => api.delete(`/api/orgs/${orgId}/members/${member.userId}`), `Removed ${member.email}.`)} />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
