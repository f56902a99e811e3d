import type { HeaderSource } from './types.js';

/**
 * One header's value, looked up case-insensitively. Repeated headers are joined with ", " exactly as
 * fetch's `Headers.get` and Node's `IncomingMessage` do, so both sources give the same answer.
 */
export function readHeader(source: HeaderSource, name: string): string | undefined {
  // Duck-typed rather than `instanceof Headers`: undici's own Headers class is another realm's.
  if (typeof (source as Headers).get === 'function') return (source as Headers).get(name) ?? undefined;

  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(source as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
  }
  return values.length === 0 ? undefined : values.join(', ');
}

/** Every named header, or undefined when any is absent or empty (then the caller fails closed). */
export function readRequiredHeaders<const N extends readonly string[]>(
  source: HeaderSource,
  names: N,
): Record<N[number], string> | undefined {
  const found: Partial<Record<string, string>> = {};
  for (const name of names) {
    const value = readHeader(source, name)?.trim();
    if (!value) return undefined;
    found[name] = value;
  }
  return found as Record<N[number], string>;
}
