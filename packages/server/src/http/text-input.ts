import { Type, type StringOptions } from '@sinclair/typebox';

/**
 * The one rule for free text a client sends, on every engine, checked by the schema before any
 * handler or database sees it: no control characters except tab, line feed and carriage return.
 *
 * - U+0000 because PostgreSQL cannot store it in text or jsonb (SQLite can): the engines would
 *   disagree, and one of them would answer 500.
 * - The rest of C0 (U+0001–U+0008, U+000B, U+000C, U+000E–U+001F) and DEL (U+007F) because no
 *   name, version or description needs them, and they are what terminal-escape and log-forging
 *   text is made of (ESC starts an ANSI sequence) when the value is later printed by a CLI or a log.
 * - Tab, LF and CR stay allowed: multi-line descriptions and pasted text hold them legitimately.
 *
 * Query filters follow the same rule (a 400 naming the parameter, never a silent "no match"), so a
 * client learns the value can never match rather than getting an empty list. Headers need no
 * rule: Node refuses control characters in header values itself.
 */
export const TEXT_PATTERN = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';

/** A free-text string field of a request: `Text({ maxLength: 200 })` where `Type.String` was. */
export const Text = (options: StringOptions = {}) => Type.String({ ...options, pattern: TEXT_PATTERN });

/** Whether any string inside a parsed JSON value (keys included) holds U+0000; for raw bodies no schema covers. */
export function jsonHasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(jsonHasNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || jsonHasNul(v));
  return false;
}

export const controlCharacterMessage = (field: string) =>
  `${field} must not contain control characters (U+0000-U+001F other than tab, line feed and carriage return, or U+007F)`;
