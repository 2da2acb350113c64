import { Readable, type Transform } from 'node:stream';
import {
  constants,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
} from 'node:zlib';
import { errorMessage } from '../../src/core/errors.js';

export type DecodeResult =
  | { ok: true; body: Buffer; truncated: boolean }
  | { ok: false; message: string };

/**
 * Undoes the Content-Encoding (gzip, deflate, br, or a list of them) with a cap on the
 * decoded size: output past `maxBytes` is cut off, so a compression bomb costs at most that
 * much memory. A body cut off on the wire decodes as far as it goes.
 */
export async function decodeBody(
  raw: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<DecodeResult> {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  let body = raw;
  let truncated = false;
  for (const encoding of encodings.reverse()) {
    if (body.length === 0) break;
    const decoder = decoderFor(encoding, body);
    if (!decoder) return { ok: false, message: `unsupported content encoding "${encoding}"` };
    const result = await inflate(body, decoder, maxBytes);
    if (!result.ok) return result;
    body = result.body;
    truncated ||= result.truncated;
  }
  if (body.length > maxBytes)
    return { ok: true, body: body.subarray(0, maxBytes), truncated: true };
  return { ok: true, body, truncated };
}

function decoderFor(encoding: string, body: Buffer): Transform | undefined {
  // Flushing what has arrived, instead of failing at a missing end, keeps a cut body readable.
  const lenient = { finishFlush: constants.Z_SYNC_FLUSH };
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip(lenient);
    case 'deflate':
      // Servers send "deflate" both as zlib (RFC 1950, first byte 0x?8) and as raw deflate.
      return (body[0]! & 0x0f) === 0x08 ? createInflate(lenient) : createInflateRaw(lenient);
    case 'br':
      return createBrotliDecompress({ finishFlush: constants.BROTLI_OPERATION_FLUSH });
    default:
      return undefined;
  }
}

async function inflate(input: Buffer, decoder: Transform, maxBytes: number): Promise<DecodeResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const source = Readable.from([input]);
  source.pipe(decoder);
  try {
    for await (const chunk of decoder as AsyncIterable<Buffer>) {
      const room = maxBytes - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size += room;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch (error) {
    if (size === 0) {
      return {
        ok: false,
        message: `the body could not be decompressed (${errorMessage(error)})`,
      };
    }
    truncated = true;
  } finally {
    source.unpipe(decoder);
    source.destroy();
    decoder.destroy();
  }
  return { ok: true, body: Buffer.concat(chunks, size), truncated };
}
