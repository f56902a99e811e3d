import { useEffect, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { RecoveryCodes, TotpEnrolment } from '../lib/types.ts';
import { Field } from './Field.tsx';
import { ErrorMessage, Notice } from './Status.tsx';

/** The otpauth:// URI as a QR code image, drawn in the browser: the secret never leaves for a QR service. */
function QrCode({ text }: { text: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 200 }).then((url) => live && setSrc(url), () => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [text]);
  return src ? <img src={src} width={200} height={200} alt="QR code to scan with your authenticator app" /> : null;
}

/**
 * Two-factor authentication on the Account page: turn on (QR code and secret, a first code, then
 * the recovery codes shown once), or turn off with a code or a recovery code.
 */
export function TotpSection({ enabled, onChanged }: { enabled: boolean; onChanged: () => void }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const run = async (work: () => Promise<void>) => {
    setError(null);
    setNotice(null);
    try {
      await work();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  const start = () => run(async () => setEnrolment(await api.post<TotpEnrolment>('/api/auth/mfa/totp')));
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const answer = await api.post<RecoveryCodes>('/api/auth/mfa/totp/confirm', { code: code.replace(/\s/g, '') });
      setEnrolment(null);
      setCode('');
      setRecoveryCodes(answer.recoveryCodes);
    });
  };
  const turnOff = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api.delete('/api/auth/mfa/totp', useRecovery ? { recoveryCode: code.trim() } : { code: code.replace(/\s/g, '') });
      setCode('');
      setNotice('Two-factor authentication is off.');
      onChanged();
    });
  };

  return (
    <section className="card stack narrow-form" aria-labelledby="totp-title">
      <h2 id="totp-title">Two-factor authentication</h2>
      {recoveryCodes ? (
        <>
          <Notice>Two-factor authentication is on.</Notice>
          <p>Save these recovery codes somewhere safe. Each one signs you in once if you lose your device; they are not shown again.</p>
          <ul className="mono" aria-label="Recovery codes">
            {recoveryCodes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setRecoveryCodes(null);
              onChanged();
            }}
          >
            I have saved my recovery codes
          </button>
        </>
      ) : enrolment ? (
        <form className="stack" onSubmit={confirm} aria-label="Confirm two-factor authentication">
          <p>Scan this QR code with your authenticator app, or type the secret into it; then enter the code it shows.</p>
          <QrCode text={enrolment.otpauthUrl} />
          <p>
            Secret: <code aria-label="Secret">{enrolment.secret}</code>
          </p>
          <Field label="Code from the app">
            <input name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={7} required value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          <button type="submit" className="primary">
            Turn on
          </button>
        </form>
      ) : enabled ? (
        <form className="stack" onSubmit={turnOff} aria-label="Turn off two-factor authentication">
          <p className="hint">On: signing in asks for a code from your authenticator app.</p>
          <Field label={useRecovery ? 'Recovery code' : 'Code from the app'}>
            <input name="code" autoComplete="off" required value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          <button type="button" className="link" onClick={() => setUseRecovery(!useRecovery)}>
            {useRecovery ? 'Use a code from the app instead' : 'Use a recovery code'}
          </button>
          <button type="submit">Turn off two-factor authentication</button>
        </form>
      ) : (
        <>
          <p className="hint">Off: your password alone signs you in. With it on, signing in also asks for a code from an authenticator app.</p>
          <button type="button" className="primary" onClick={() => void start()}>
            Set up two-factor authentication
          </button>
        </>
      )}
      <ErrorMessage message={error} />
      {notice ? <Notice>{notice}</Notice> : null}
    </section>
  );
}
