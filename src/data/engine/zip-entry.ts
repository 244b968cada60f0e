/**
 * One file out of a zip archive held in memory: enough to take DuckDB's extension out of the
 * Python wheel it is published in (a wheel is a zip). Reads the central directory (the sizes
 * there are right even when the local headers defer them to a data descriptor), inflates the
 * entry with node:zlib and checks its CRC-32. No zip64, no encryption: a wheel of a few MB uses
 * neither, and an archive that does is refused with a reason rather than misread.
 */
import { crc32, inflateRawSync } from 'node:zlib';

/** The archive is not a zip we can read, or lacks the entry, or the entry is corrupt. */
export class ZipError extends Error {
  override readonly name = 'ZipError';
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The names of the archive's entries, in central-directory order. */
export function zipEntryNames(zip: Buffer): string[] {
  return centralDirectory(zip).map((e) => e.name);
}

/** The uncompressed bytes of entry `name`; throws ZipError when it is absent or does not check out. */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const entry = centralDirectory(zip).find((e) => e.name === name);
  if (!entry) throw new ZipError(`the archive has no entry ${name}`);
  if (entry.flags & 0x1) throw new ZipError(`${name} is encrypted`);
  const at = entry.localHeaderOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL_FILE_HEADER) throw new ZipError(`${name}: no local header at offset ${at}`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new ZipError(`${name}: the archive is truncated`);
  const raw = zip.subarray(start, end);
  let data: Buffer;
  if (entry.method === STORED) data = Buffer.from(raw);
  else if (entry.method === DEFLATED) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: entry.size + 1 });
    } catch (error) {
      throw new ZipError(`${name}: cannot inflate: ${(error as Error).message}`);
    }
  } else throw new ZipError(`${name}: compression method ${entry.method} is not supported (stored or deflate only)`);
  if (data.length !== entry.size) throw new ZipError(`${name}: ${data.length} bytes where the directory says ${entry.size}`);
  if (crc32(data) !== entry.crc) throw new ZipError(`${name}: CRC-32 mismatch (the archive is corrupt)`);
  return data;
}

function centralDirectory(zip: Buffer): CentralEntry[] {
  // The end record is the last 22 bytes plus a comment of up to 65535 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a zip archive (no end-of-central-directory record)');
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  const offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new ZipError('zip64 archives are not supported');
  if (offset + size > eocd) throw new ZipError('the central directory lies outside the archive');
  const entries: CentralEntry[] = [];
  let p = offset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== CENTRAL_FILE_HEADER) throw new ZipError(`central directory entry ${k + 1} of ${count} is malformed`);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    entries.push({
      flags: zip.readUInt16LE(p + 8),
      method: zip.readUInt16LE(p + 10),
      crc: zip.readUInt32LE(p + 16),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localHeaderOffset: zip.readUInt32LE(p + 42),
      name: zip.subarray(p + 46, p + 46 + nameLength).toString('utf8'),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
