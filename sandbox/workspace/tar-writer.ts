/**
 * A minimal ustar writer for workspace copies. Thousands of small files are packed with one
 * synchronous read each into a list of buffers: a general tar stream spends most of its time
 * on per-entry promises and stream events, which made packing a 5,000-file tree take seconds.
 */

const BLOCK = 512;
/** Fixed times make the archive a function of names and bytes only (a fingerprint of DIR). */
const MTIME = 0;

export type TarEntry =
  | { kind: 'dir'; name: string }
  | { kind: 'symlink'; name: string; target: string }
  | { kind: 'file'; name: string; mode: number; data: Buffer };

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, type: string, size: number, mode: number, link: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(MTIME, 12), 136, 'ascii');
  block.write(type, 156, 'ascii');
  block.write(link, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 'ascii');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

function padding(size: number): Buffer | undefined {
  const bytes = tarPadding(size);
  return bytes === 0 ? undefined : Buffer.alloc(bytes);
}

/** A PAX record `LEN key=value\n`, whose length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let length = bytes + String(bytes).length;
  if (String(length).length !== String(bytes).length) length = bytes + String(length).length;
  return `${length}${body}`;
}

/** Names and link targets past ustar's 100 bytes go in a PAX header before the entry. */
function longNames(out: Buffer[], name: string, link: string): void {
  let records = '';
  if (Buffer.byteLength(name) > 100) records += paxRecord('path', name);
  if (Buffer.byteLength(link) > 100) records += paxRecord('linkpath', link);
  if (records === '') return;
  const data = Buffer.from(records, 'utf8');
  out.push(header('././@PaxHeader', 'x', data.length, 0o644, ''), data);
  const pad = padding(data.length);
  if (pad) out.push(pad);
}

/** How many bytes `pushTarEntry` writes for an entry with `size` bytes of data. */
export function tarEntryBytes(entry: {
  kind: TarEntry['kind'];
  name: string;
  target?: string | undefined;
  size: number;
}): number {
  const name = entry.kind === 'dir' ? `${entry.name}/` : entry.name;
  const link = entry.kind === 'symlink' ? (entry.target ?? '') : '';
  let records = '';
  if (Buffer.byteLength(name) > 100) records += paxRecord('path', name);
  if (Buffer.byteLength(link) > 100) records += paxRecord('linkpath', link);
  const blocks = (bytes: number) => Math.ceil(bytes / BLOCK) * BLOCK;
  const pax = records === '' ? 0 : BLOCK + blocks(Buffer.byteLength(records));
  return pax + BLOCK + (entry.kind === 'file' ? blocks(entry.size) : 0);
}

/** The two zero blocks that end an archive, in bytes. */
export const TAR_END_BYTES = BLOCK * 2;

/** An entry as its header describes it: a file by its size, its bytes written after it. */
export type TarHeaderEntry =
  | { kind: 'dir'; name: string }
  | { kind: 'symlink'; name: string; target: string }
  | { kind: 'file'; name: string; mode: number; size: number };

/** Appends an entry's header blocks (a PAX header first for long names) to `out`. */
export function pushTarHeader(out: Buffer[], entry: TarHeaderEntry): void {
  const name = entry.kind === 'dir' ? `${entry.name}/` : entry.name;
  const link = entry.kind === 'symlink' ? entry.target : '';
  longNames(out, name, link);
  const short = Buffer.from(name, 'utf8').subarray(0, 100).toString('utf8');
  if (entry.kind === 'dir') out.push(header(short, '5', 0, 0o755, ''));
  else if (entry.kind === 'symlink')
    out.push(header(short, '2', 0, 0o777, Buffer.from(link).subarray(0, 100).toString('utf8')));
  else out.push(header(short, '0', entry.size, entry.mode, ''));
}

/** How many zero bytes follow `size` bytes of file data to end its last block. */
export function tarPadding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** Appends one entry's blocks to `out`. */
export function pushTarEntry(out: Buffer[], entry: TarEntry): void {
  if (entry.kind !== 'file') {
    pushTarHeader(out, entry);
    return;
  }
  const { data, ...rest } = entry;
  pushTarHeader(out, { ...rest, size: data.length });
  out.push(data);
  const pad = padding(data.length);
  if (pad) out.push(pad);
}

/** The two zero blocks that end an archive. */
export function endTar(out: Buffer[]): void {
  out.push(Buffer.alloc(BLOCK * 2));
}

/** Header types that describe the next entry rather than being one (PAX, GNU long names). */
const META_TYPES = new Set(['x', 'g', 'L', 'K']);

/**
 * How many entries a tar holds, read from its headers without unpacking, so a `.tar`
 * workspace past the file cap is refused before anything is copied. Stops at the end blocks
 * or at a header that does not fit the buffer.
 */
export function countTarEntries(tar: Buffer): number {
  let count = 0;
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const block = tar.subarray(at, at + BLOCK);
    if (block.every((byte) => byte === 0)) break;
    const size = Number.parseInt(
      block.toString('ascii', 124, 136).replace(/\0.*$/, '').trim() || '0',
      8,
    );
    if (!Number.isFinite(size) || size < 0) break;
    if (!META_TYPES.has(block.toString('ascii', 156, 157))) count++;
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return count;
}
