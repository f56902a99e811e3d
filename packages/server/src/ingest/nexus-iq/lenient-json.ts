/**
 * JSON, or JSON written with single-quoted strings as Nexus IQ's documentation prints its example
 * payloads (seed 004). Strict JSON is tried first; only if it fails are single-quoted strings
 * rewritten into double-quoted ones (outside existing double-quoted strings) and parsed again.
 * Nothing else is relaxed: no comments, no trailing commas, no bare words.
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (strictError) {
    const rewritten = requoteSingleQuotedStrings(text);
    if (rewritten === text) throw strictError;
    return JSON.parse(rewritten);
  }
}

function requoteSingleQuotedStrings(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = endOfString(text, i, '"');
      out += text.slice(i, end + 1);
      i = end;
    } else if (c === "'") {
      const end = endOfString(text, i, "'");
      // \' is an escaped quote in the single-quoted form; a bare " must be escaped in JSON.
      const inner = text.slice(i + 1, end).replace(/\\'/g, "'").replace(/(^|[^\\])"/g, '$1\\"');
      out += `"${inner}"`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/** Index of the quote closing the string opened at `start`; the text's end if it never closes. */
function endOfString(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return text.length - 1;
}
