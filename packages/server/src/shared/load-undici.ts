import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

/**
 * undici (≈ 20 MiB of RSS), loaded at the first outgoing request (a webhook delivery, a SonarQube
 * call), not at start: an API replica may never make one. It is CommonJS, so loading stays synchronous.
 */
let undici: typeof Undici | undefined;
/** Loaded once, then kept: every attempt calls this, and a require() resolves the name each time. */
export const loadUndici = (): typeof Undici => (undici ??= require('undici') as typeof Undici);
