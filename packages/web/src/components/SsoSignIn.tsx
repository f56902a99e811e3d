import { useEffect, useState } from 'react';
import { api } from '../lib/api.ts';
import type { AuthConfig } from '../lib/types.ts';
import { ErrorMessage } from './Status.tsx';

/** What each refusal of the SSO callback (/login?ssoError=<code>) means to the person who just tried. */
const SSO_ERRORS: Record<string, string> = {
  sso_email_unverified: 'Your sign-in provider did not confirm an email address for your account, so Arkiv cannot tell which account is yours. Ask your administrator to have the email verified there.',
  sso_state_invalid: 'That sign-in was started in another browser, took too long, or was already used. Choose "Sign in with SSO" again.',
  sso_failed: 'Your sign-in provider did not confirm the sign-in. Choose "Sign in with SSO" to try again.',
  sso_provider_unavailable: 'Your sign-in provider cannot be reached right now. Try again in a moment, or ask your administrator.',
};

/**
 * "Sign in with SSO" on the sign-in page, shown when the server has an OpenID Provider configured
 * (GET /api/auth/config). It is a plain link: the browser itself must go to the provider and back.
 */
export function SsoSignIn() {
  const [config, setConfig] = useState<AuthConfig | null>(null);
  useEffect(() => {
    api.get<AuthConfig>('/api/auth/config').then(setConfig, () => setConfig(null));
  }, []);
  const code = new URLSearchParams(window.location.search).get('ssoError');
  const message = code ? (SSO_ERRORS[code] ?? `Single sign-on failed (${code}).`) : null;
  const loginUrl = config?.sso.enabled ? config.sso.loginUrl : undefined;
  return (
    <>
      <ErrorMessage message={message} />
      {loginUrl ? (
        <a className="button sso" href={loginUrl}>
          Sign in with SSO
        </a>
      ) : null}
    </>
  );
}
