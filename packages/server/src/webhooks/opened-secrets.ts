import type { SecretBox } from '../secrets.js';

const OPENED_SECRETS_KEPT = 1000;

/**
 * Opens each sealed secret once (AES-GCM per attempt cost as much as signing it): keyed by the
 * sealed value, so a rotation, which seals a new one, is seen at once. Endpoints are few; the
 * bound keeps rotated-out values from piling up in a long-lived worker.
 */
export function openedSecretsCache(box: Pick<SecretBox, 'open'>): Pick<SecretBox, 'open'> {
  const opened = new Map<string, string>();
  return {
    open(sealed) {
      let secret = opened.get(sealed);
      if (secret === undefined) {
        secret = box.open(sealed);
        if (opened.size >= OPENED_SECRETS_KEPT) opened.clear();
        opened.set(sealed, secret);
      }
      return secret;
    },
  };
}
