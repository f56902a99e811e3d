import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { Member, Role } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { Field } from '../components/Field.tsx';

const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Administrator', member: 'Member' };

/** Roles this user may hand out or take away: only Owners manage Owners (the server enforces it too). */
export const assignableRoles = (myRole: Role): Role[] => (myRole === 'owner' ? ['member', 'admin', 'owner'] : ['member', 'admin']);

/** Members: add (with an initial password, or one the server generates), change role, remove. */
export function MembersPanel({ orgId, myRole, myUserId }: { orgId: string; myRole: Role; myUserId: string }) {
  const members = useLoad(() => api.get<{ members: Member[] }>(`/api/orgs/${orgId}/members`).then((b) => b.members), [orgId]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const roles = assignableRoles(myRole);

  const act = async (work: () => Promise<unknown>, done: string) => {
    setError(null);
    setNotice(null);
    try {
      const result = await work();
      const generated = (result as { generatedPassword?: string } | undefined)?.generatedPassword;
      setNotice(generated ? `${done} Initial password (shown once): ${generated}` : done);
      members.reload();
      return true;
    } catch (caught) {
      setError(errorMessage(caught));
      return false;
    }
  };
  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!/^\S+@\S+$/.test(email.trim())) return setError('Enter the email address of the person to add');
    const body = { email: email.trim(), role, ...(password ? { password } : {}) };
    if (await act(() => api.post(`/api/orgs/${orgId}/members`, body), `Added ${email.trim()} as ${ROLE_LABELS[role]}.`)) {
      setEmail('');
      setPassword('');
    }
  };

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <form className="inline-form" onSubmit={add}>
        <Field label="Member email">
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
        <Field label="Initial password (optional, for new accounts)">
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button type="submit" className="primary">
          Add member
        </button>
      </form>
      <ErrorMessage message={error} />
      {notice ? <Notice>{notice}</Notice> : null}
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
