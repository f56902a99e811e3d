import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

/**
 * undici (≈ 20 MiB of RSS), loaded at the first outgoing request (a webhook delivery, a SonarQube
 * call), not at start: an API replica may never make one. It is CommonJS, so loading stays synchronous.
 */
export const loadUndici = (): typeof Undici => require('undici') as typeof Undici;
