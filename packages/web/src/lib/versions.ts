/**
 * Versions compare as the server compares them: semver precedence, partial versions allowed
 * ("1.0" is 1.0.0), a prerelease below its release, build metadata ignored. The dashboard sorts
 * tables and chart axes with this, so its order must match the API's version ranges exactly.
 * Anything that does not parse sorts after every valid version, by plain text.
 */
export interface Version {
  numbers: [number, number, number];
  prerelease: string[];
}

const PARTIAL = /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseVersion(input: string): Version | null {
  const match = PARTIAL.exec(input.trim());
  if (!match) return null;
  const numbers = [match[1], match[2] ?? '0', match[3] ?? '0'].map(Number) as [number, number, number];
  if (numbers.some((n) => !Number.isSafeInteger(n))) return null;
  const prerelease = match[4] ? match[4].split('.') : [];
  if (prerelease.some((id) => id === '' || (/^\d+$/.test(id) && id.length > 1 && id.startsWith('0')))) return null;
  return { numbers, prerelease };
}

export const isVersion = (input: string): boolean => parseVersion(input) !== null;

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Math.sign(Number(a) - Number(b));
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareParsed(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const diff = a.numbers[i]! - b.numbers[i]!;
    if (diff !== 0) return Math.sign(diff);
  }
  // A release outranks its prereleases.
  if (a.prerelease.length === 0) return b.prerelease.length === 0 ? 0 : 1;
  if (b.prerelease.length === 0) return -1;
  const length = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < length; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const order = compareIdentifiers(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (x && y) return compareParsed(x, y);
  if (x) return -1;
  if (y) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
