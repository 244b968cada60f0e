/**
 * The zip reader that takes DuckDB's extension out of its wheel: stored and deflated entries,
 * and the archives it must refuse rather than misread.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { readZipEntry, ZipError, zipEntryNames } from '../../../src/data/engine/zip-entry.js';
import { storedZip } from '../../support/zip.js';

/** A one-entry zip whose entry is deflated, sizes in the central directory only (as a data descriptor leaves the local header). */
function deflatedZip(name: string, content: Buffer, options: { crc?: number } = {}): Buffer {
  const data = deflateRawSync(content);
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0008, 6); // sizes and CRC in a data descriptor
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(nameBytes.length, 26);
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0008, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(options.crc ?? crc32(content), 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42);
  const centralOffset = local.length + nameBytes.length + data.length + descriptor.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBytes, data, descriptor, central, nameBytes, end]);
}

describe('readZipEntry', () => {
  it('reads a stored entry among others, by its full name', () => {
    const zip = storedZip({ 'pkg/__init__.py': '', 'pkg/extensions/v1/x.bin': 'extension bytes', 'pkg-1.dist-info/RECORD': 'r' });
    expect(zipEntryNames(zip)).toEqual(['pkg/__init__.py', 'pkg/extensions/v1/x.bin', 'pkg-1.dist-info/RECORD']);
    expect(readZipEntry(zip, 'pkg/extensions/v1/x.bin').toString()).toBe('extension bytes');
  });

  it('inflates a deflated entry whose local header defers its sizes to a data descriptor', () => {
    const content = Buffer.from('abc'.repeat(100_000));
    expect(readZipEntry(deflatedZip('a/b.bin', content), 'a/b.bin').equals(content)).toBe(true);
  });

  it('refuses an entry whose CRC-32 does not match', () => {
    expect(() => readZipEntry(deflatedZip('a.bin', Buffer.from('hello')), 'a.bin')).not.toThrow();
    expect(() => readZipEntry(deflatedZip('a.bin', Buffer.from('hello'), { crc: 1234 }), 'a.bin')).toThrow(new ZipError('a.bin: CRC-32 mismatch (the archive is corrupt)'));
  });

  it('names what is wrong: a missing entry, a file that is not a zip, a truncated archive', () => {
    const zip = storedZip({ 'a.txt': 'x' });
    expect(() => readZipEntry(zip, 'b.txt')).toThrow('the archive has no entry b.txt');
    expect(() => readZipEntry(Buffer.from('<html>not found</html>'), 'a.txt')).toThrow('not a zip archive (no end-of-central-directory record)');
    const big = storedZip({ 'a.bin': Buffer.alloc(1000, 7) });
    // Keep the directory, lose the data: the entry's bytes are not all there.
    const cut = Buffer.concat([big.subarray(0, 40), big.subarray(big.length - 22 - 46 - 5)]);
    cut.writeUInt32LE(40, cut.length - 6);
    expect(() => readZipEntry(cut, 'a.bin')).toThrow(ZipError);
  });
});
