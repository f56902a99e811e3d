import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { jsonParser, type Token } from 'stream-json/parser.js';
import Assembler from 'stream-json/assembler.js';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';

/**
 * Walks a SARIF log without holding it whole: every `runs[i].results[j]` is assembled alone and
 * handed to `onResult` as soon as it ends; everything else (tool, rules, taxonomies, version) is
 * assembled into a skeleton whose `results` arrays stay empty. Memory is the skeleton plus one
 * result, whatever the number of results.
 */
export async function walkSarif(
  path: string,
  onResult: (result: unknown, run: number, index: number) => void,
): Promise<Record<string, unknown>> {
  const skeleton = new Assembler();
  const frames: Frame[] = [];
  let capture: { asm: InstanceType<typeof Assembler>; depth: number; run: number; index: number } | undefined;
  const consume = (token: Token) => {
    if (capture) {
      capture.asm.consume(token);
      capture.depth += depthChange(token);
      if (capture.depth === 0) {
        onResult(capture.asm.current, capture.run, capture.index);
        capture = undefined;
      }
      return;
    }
    if (startsValue(token)) {
      const parent = frames[frames.length - 1];
      if (parent?.type === 'array') parent.index += 1;
      if (isResultSlot(frames)) {
        const asm = new Assembler();
        asm.consume(token);
        const depth = depthChange(token);
        const run = (frames[1] as ArrayFrame).index;
        const index = (frames[3] as ArrayFrame).index;
        if (depth === 0) onResult(asm.current, run, index);
        else capture = { asm, depth, run, index };
        return;
      }
    }
    skeleton.consume(token);
    if (token.name === 'startObject') frames.push({ type: 'object', key: null });
    else if (token.name === 'startArray') frames.push({ type: 'array', index: -1 });
    else if (token.name === 'endObject' || token.name === 'endArray') frames.pop();
    else if (token.name === 'keyValue') (frames[frames.length - 1] as ObjectFrame).key = String(token.value);
  };
  // The tokenizer is called directly, chunk by chunk: through a Node object stream every token
  // would be a chunk of its own, and that costs ten times the parsing (5 s for 10 000 results).
  // Limits against hostile input: SARIF nests a dozen levels deep; a single string past 8 MiB is not a finding.
  const tokenize = jsonParser({ streamValues: false, maxDepth: 64, maxPackedLength: 8 * 1024 * 1024 }) as (text: string | typeof none) => unknown;
  const take = (out: unknown) => {
    if (isMany(out)) for (const token of getManyValues(out) as Token[]) consume(token);
    else if (out !== none && out !== undefined) consume(out as Token);
  };
  const decoder = new StringDecoder('utf8');
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 256 * 1024 })) take(tokenize(decoder.write(chunk as Buffer)));
  take(tokenize(decoder.end()));
  take(tokenize(none));
  return skeleton.current as Record<string, unknown>;
}

interface ObjectFrame { type: 'object'; key: string | null }
interface ArrayFrame { type: 'array'; index: number }
type Frame = ObjectFrame | ArrayFrame;

const VALUE_STARTS = new Set(['startObject', 'startArray', 'stringValue', 'numberValue', 'nullValue', 'trueValue', 'falseValue']);
const startsValue = (token: Token) => VALUE_STARTS.has(token.name);
const depthChange = (token: Token) => (token.name === 'startObject' || token.name === 'startArray' ? 1 : token.name === 'endObject' || token.name === 'endArray' ? -1 : 0);

/** The stack reads: log object at "runs" → runs array → run object at "results" → results array. */
function isResultSlot(frames: readonly Frame[]): boolean {
  return frames.length === 4
    && frames[0]!.type === 'object' && frames[0]!.key === 'runs'
    && frames[1]!.type === 'array'
    && frames[2]!.type === 'object' && frames[2]!.key === 'results'
    && frames[3]!.type === 'array';
}
