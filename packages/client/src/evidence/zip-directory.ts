import type { FileHandle } from 'node:fs/promises';

/** What the central directory says about one entry, with where its data starts in the file. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated; others are refused when read. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The file is not a ZIP, or is cut short: the message says which, for a human. */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

const u64 = (buffer: Buffer, at: number) => {
  const value = buffer.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('a ZIP64 size or offset is out of range');
  return Number(value);
};

/** A cut-off file still starts like a ZIP; something else does not. The two need different fixes. */
async function missingEnd(file: FileHandle): Promise<ZipFormatError> {
  const start = await readAt(file, 0, 4);
  return start.length === 4 && start.readUInt32LE(0) === LOCAL
    ? new ZipFormatError('the ZIP is truncated: its central directory is missing (an interrupted download?)')
    : new ZipFormatError('not a ZIP archive');
}

/**
 * Reads the central directory (ZIP64 too), the ZIP's own index of entries. Nothing is trusted that
 * points outside the file: a truncated or forged directory is an error, never a shorter list.
 */
export async function readZipDirectory(file: FileHandle): Promise<{ entries: ZipEntry[]; directoryOffset: number }> {
  const { size } = await file.stat();
  if (size < 22) throw await missingEnd(file);
  const tailStart = Math.max(0, size - 22 - MAX_COMMENT);
  const tail = await readAt(file, tailStart, size - tailStart);
  let end = -1;
  for (let at = tail.length - 22; at >= 0; at -= 1) {
    if (tail.readUInt32LE(at) === EOCD && at + 22 + tail.readUInt16LE(at + 20) === tail.length) {
      end = at;
      break;
    }
  }
  if (end < 0) throw await missingEnd(file);
  let count = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorAt = end - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== ZIP64_LOCATOR) throw new ZipFormatError('the ZIP64 end record is missing (truncated or damaged ZIP)');
    const recordOffset = u64(tail, locatorAt + 8);
    const record = await readAt(file, recordOffset, 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipFormatError('the ZIP64 end record is damaged');
    count = u64(record, 32);
    directorySize = u64(record, 40);
    directoryOffset = u64(record, 48);
  }
  if (directoryOffset + directorySize > size) throw new ZipFormatError('the ZIP is truncated: its central directory points past the end of the file');
  const directory = await readAt(file, directoryOffset, directorySize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i += 1) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) throw new ZipFormatError('the ZIP central directory is damaged');
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const entry: ZipEntry = {
      name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    applyZip64Extra(entry, directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    if (entry.localHeaderOffset + 30 + entry.compressedSize > directoryOffset) throw new ZipFormatError(`the ZIP entry ${entry.name} lies outside the archive's data`);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return { entries, directoryOffset };
}

/** ZIP64 extra field (id 1): 64-bit values for exactly the fields saturated in the fixed record, in this order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = () => {
        if (field + 8 > at + 4 + length) throw new ZipFormatError(`the ZIP64 field of ${entry.name} is too short`);
        const value = u64(extra, field);
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
    }
    at += 4 + length;
  }
}

/** Where an entry's bytes start: after its local header, whose name and extra lengths may differ from the directory's. */
export async function entryDataRange(file: FileHandle, entry: ZipEntry, directoryOffset: number): Promise<{ start: number; end: number }> {
  const header = await readAt(file, entry.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) throw new ZipFormatError(`the local header of ${entry.name} is damaged`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const end = start + entry.compressedSize;
  if (end > directoryOffset) throw new ZipFormatError(`the ZIP entry ${entry.name} runs past the archive's data`);
  return { start, end };
}
