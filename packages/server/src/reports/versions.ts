import semver from 'semver';

/**
 * Versions in queries and uploads are semantic versions that may be partial: "1" and "1.0" mean
 * 1.0.0. They compare by semver precedence (a prerelease sorts before its release; build metadata
 * is ignored). `versionKey` encodes that precedence as a byte-ordered string, so the database
 * answers version, minver and maxver with an index range scan, never a scan-and-filter here.
 */
export interface ParsedVersion {
  /** Full normalised form without build metadata, e.g. "1.0.0-beta.1". */
  normalized: string;
  key: string;
}

/** Build metadata is not passed to semver, so its grammar (non-empty dot-separated identifiers) is checked here. */
const PARTIAL = /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const MAX_LENGTH = 256;
const NUMBER_WIDTH = 16; // Number.MAX_SAFE_INTEGER has 16 digits; semver refuses larger parts.

/** Sorts after every prerelease key, because a release outranks its prereleases. */
const RELEASE_MARK = '~';
/** Sorts before every identifier character ([0-9A-Za-z-]), so a shorter identifier list ranks lower. */
const IDENTIFIER_SEPARATOR = '!';

export function parseVersion(input: string): ParsedVersion | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_LENGTH) return null;
  const match = PARTIAL.exec(input.trim() === input ? input : '');
  if (!match) return null;
  const [, major, minor = '0', patch = '0', prerelease = ''] = match;
  const parsed = semver.parse(`${major}.${minor}.${patch}${prerelease}`);
  if (!parsed) return null;
  const numbers = [parsed.major, parsed.minor, parsed.patch].map((n) => String(n).padStart(NUMBER_WIDTH, '0'));
  const pre = parsed.prerelease.length === 0 ? RELEASE_MARK : parsed.prerelease.map(encodeIdentifier).join(IDENTIFIER_SEPARATOR);
  return { normalized: parsed.version, key: `${numbers.join('.')}.${pre}` };
}

/**
 * Numeric identifiers rank below alphanumeric ones and compare as numbers: valid semver forbids
 * leading zeros, so (length, digits) orders them. Alphanumerics compare in ASCII order.
 */
function encodeIdentifier(identifier: string | number): string {
  const text = String(identifier);
  if (/^\d+$/.test(text)) return `0${String(text.length).padStart(3, '0')}${text}`;
  return `1${text}`;
}

/** Version keys sort like versions; this compares two inputs that parse. */
export function compareVersionKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
