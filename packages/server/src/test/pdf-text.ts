import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Reads a PDF as a reader would, with Mozilla's pdf.js (the `pdfjs-dist` legacy build runs on
 * Node 20 without a canvas): the text of every page, top to bottom and left to right, and the
 * document information dictionary. Tests need nothing but Node; poppler's tools are an extra,
 * independent check (see system-tools.ts).
 */
export interface PdfContent {
  /** One string per page; lines separated by \n, cells and words on a line by one space. */
  pages: string[];
  /** Title, Author, CreationDate ("D:YYYYMMDDHHmmSS…"), … as the file declares them. */
  info: Record<string, unknown>;
}

interface Piece { text: string; x: number; y: number; end: number }

// Pieces whose baselines differ by less than this many points are on one line.
const SAME_LINE = 2;
// A gap wider than this between two pieces on a line is a space (a space is ~2.5 pt at 9 pt).
const WORD_GAP = 1;

export async function readPdf(pdf: Uint8Array): Promise<PdfContent> {
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const document = await getDocument({ data: new Uint8Array(pdf), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= document.numPages; n++) {
      const content = await (await document.getPage(n)).getTextContent();
      const pieces: Piece[] = [];
      for (const item of content.items) {
        if (!('str' in item) || item.str === '') continue;
        const [, , , , x, y] = item.transform as number[];
        pieces.push({ text: item.str, x: x!, y: y!, end: x! + item.width });
      }
      pages.push(linesOf(pieces).join('\n'));
    }
    return { pages, info: ((await document.getMetadata()).info ?? {}) as Record<string, unknown> };
  } finally {
    await document.destroy();
  }
}

function linesOf(pieces: Piece[]): string[] {
  pieces.sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: Piece[][] = [];
  for (const piece of pieces) {
    const line = lines.at(-1);
    if (line && Math.abs(line[0]!.y - piece.y) < SAME_LINE) line.push(piece);
    else lines.push([piece]);
  }
  return lines.map((line) => {
    line.sort((a, b) => a.x - b.x);
    let text = '';
    let previous: Piece | undefined;
    for (const piece of line) {
      if (previous && piece.x - previous.end > WORD_GAP && !/\s$/.test(text) && !/^\s/.test(piece.text)) text += ' ';
      text += piece.text;
      previous = piece;
    }
    return text.trimEnd();
  });
}

/**
 * The text of a PDF, each page followed by a form feed (as pdftotext prints it), for tests that
 * read it synchronously. pdf.js only has an asynchronous API, so this runs readPdf in a child Node.
 */
export function pdfTextSync(pdf: Uint8Array): string {
  const tsx = import.meta.resolve('tsx');
  const json = execFileSync(process.execPath, ['--import', tsx, fileURLToPath(import.meta.url)], {
    input: pdf, encoding: 'utf8', maxBuffer: 256 << 20,
  });
  return (JSON.parse(json) as PdfContent).pages.map((page) => `${page}\n\f`).join('');
}

// Run as a script by pdfTextSync: a PDF on stdin, its PdfContent as JSON on stdout.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  process.stdout.write(JSON.stringify(await readPdf(Buffer.concat(chunks))));
}
