/**
 * @arkiv/client/evidence: checks an Arkiv archive (manifest.json, its Ed25519 signature and every
 * entry) against an organisation's JWKS, as `arkiv verify` does. `node:crypto` only.
 */
export { ArchiveError, verifyArchive, type ArchiveVerdict, type ArkivManifest } from './verify-archive.js';
export { ed25519KeysOf, JwksError } from './jwks.js';
