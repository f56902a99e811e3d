import { api } from '../lib/api.ts';
import type { SigningKey } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { CopyField } from '../integrations/CopyField.tsx';
import { ErrorMessage, Loading } from '../components/Status.tsx';

/**
 * The key that signs this organisation's archives: its public half to hand to auditors (with the
 * JWKS address) and a fingerprint to compare by eye. Rotation is an API call and a CLI command
 * (docs/evidence.md); retired keys are listed because old archives still verify with them.
 */
export function SigningKeysPanel({ orgId }: { orgId: string }) {
  const keys = useLoad(() => api.get<{ keys: SigningKey[] }>(`/api/orgs/${orgId}/signing-keys`).then((b) => b.keys), [orgId]);
  const current = keys.data?.find((k) => k.notAfter === null);
  const retired = (keys.data ?? []).filter((k) => k.notAfter !== null);
  const jwksUrl = `${window.location.origin}/.well-known/jwks.json?org=${orgId}`;
  return (
    <section className="card" aria-labelledby="signing-keys-title">
      <h2 id="signing-keys-title">Archive signing key</h2>
      <p>
        Every ZIP of reports carries an Ed25519 signature of its manifest. Anyone can check it with <code>arkiv verify</code> or openssl against the public keys at the JWKS address below.
      </p>
      {keys.loading && !keys.data && <Loading what="signing keys" />}
      <ErrorMessage message={keys.error} onRetry={keys.reload} />
      {current && (
        <>
          <CopyField label="Public key (base64url)" value={current.x} what="Public key" />
          <CopyField label="JWKS address" value={jwksUrl} what="JWKS address" />
          <p>
            Fingerprint (SHA-256): <code aria-label="Fingerprint">{current.fingerprint}</code>
            <br />
            Key id <code>{current.kid}</code>, signing since {new Date(current.createdAt).toLocaleString()}
          </p>
        </>
      )}
      {retired.length > 0 && (
        <p>
          Retired keys, still published so older archives verify:{' '}
          {retired.map((k) => (
            <code key={k.kid} title={`fingerprint ${k.fingerprint}`}>
              {k.kid} (until {new Date(k.notAfter!).toLocaleDateString()}){' '}
            </code>
          ))}
        </p>
      )}
    </section>
  );
}
