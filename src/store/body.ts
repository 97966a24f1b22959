import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzipSync } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';
import { DIGEST_PREFIX, writeJson } from './canonical.js';

const gunzipAsync: (buf: Buffer, opts: ZlibOptions) => Promise<Buffer> = promisify(gunzip);

/** Raw bytes per gzip member of a stored body (a body up to this size is one member). */
export const BODY_CHUNK_BYTES = 8 << 20;
/** zlib level of a body that fits in one chunk: small bodies (a day of the demo: ~100 KB) stay small. */
export const SMALL_BODY_LEVEL = 6;
/** zlib level of every member of a larger body: 2× faster than level 6 for ~18 % more bytes. */
export const LARGE_BODY_LEVEL = 1;

/** A value serialised for the store. */
export interface EncodedBody {
  /** `sha256:` of the raw (uncompressed) bytes: the JSON text as `JSON.stringify` writes it. */
  digest: string;
  rawBytes: number;
  /**
   * The stored body: one gzip member per `BODY_CHUNK_BYTES` of JSON, concatenated — a valid gzip
   * file that any gunzip reads whole (a body that fits in one chunk is one member, as before).
   */
  body: Buffer;
}

/**
 * Serialise `value` as `JSON.stringify` would (streamed, see `writeJson`: never one giant string)
 * into one reused chunk buffer; hash and compress each chunk as it fills. The raw JSON is never held
 * whole. The buffer is reused on purpose: allocating 170 MB of fresh buffers for a large snapshot
 * made V8 run a full garbage collection every few dozen MB (external memory pressure), which cost
 * more than the serialisation itself; compressing on the thread pool needs fresh buffers, so it is
 * done here, synchronously, chunk by chunk.
 */
export function encodeJsonBody(value: unknown, chunkBytes = BODY_CHUNK_BYTES): EncodedBody {
  const hash = createHash('sha256');
  const members: Buffer[] = [];
  let rawBytes = 0;
  // Start small and grow to a whole chunk: a day of the demo (100 KB) should not allocate 8 MB, whose
  // external memory V8 counts towards its next full collection.
  let buf = Buffer.allocUnsafe(Math.min(chunkBytes, 64 << 10));
  let off = 0;
  let sealed = false;
  const seal = (last: boolean): void => {
    if (!off) return;
    const piece = buf.subarray(0, off);
    hash.update(piece);
    rawBytes += off;
    const level = last && !sealed ? SMALL_BODY_LEVEL : LARGE_BODY_LEVEL;
    members.push(gzipSync(piece, { level, chunkSize: Math.min(Math.max(off >> 3, 16384), 1 << 20) }));
    sealed = true;
    off = 0;
  };
  writeJson(value, (s) => {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: measure only when the piece might not fit.
    if (s.length * 3 > buf.length - off) {
      const n = Buffer.byteLength(s, 'utf8');
      if (n > buf.length - off && buf.length < chunkBytes) {
        const bigger = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(buf.length * 4, off + n)));
        buf.copy(bigger, 0, 0, off);
        buf = bigger;
      }
      if (n > buf.length - off) {
        seal(false);
        if (n > buf.length) buf = Buffer.allocUnsafe(n);
      }
    }
    off += buf.write(s, off, 'utf8');
  });
  seal(true);
  return { digest: DIGEST_PREFIX + hash.digest('hex'), rawBytes, body: members.length === 1 ? members[0]! : Buffer.concat(members) };
}

/** The largest output buffer `decodeBody` allocates up front from a row's recorded size. */
const MAX_OUTPUT_HINT = 1 << 30;

/** The output buffer size for a body whose row records `rawBytes` (undefined: zlib's default). */
function outputHint(body: Buffer, rawBytes: number | undefined): ZlibOptions {
  // An edited raw_bytes must not make us allocate much more than any real body expands to.
  const hint = rawBytes !== undefined && Number.isFinite(rawBytes) && rawBytes > 0 ? Math.min(rawBytes + 64, body.length * 64, MAX_OUTPUT_HINT) : 0;
  return hint > 16384 ? { chunkSize: hint } : {};
}

const isGzip = (body: Buffer) => body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;

/**
 * The raw bytes of a stored body — gzip, one member (every body stored before issue 17) or several
 * — or undefined when it is not gzip or does not decompress. `rawBytes`, the row's recorded size,
 * sizes the output buffer so that zlib decompresses in one job off the main thread; a wrong value
 * only costs speed.
 */
export async function decodeBody(body: Buffer, rawBytes?: number): Promise<Buffer | undefined> {
  if (!isGzip(body)) return undefined;
  try {
    return await gunzipAsync(body, outputHint(body, rawBytes));
  } catch {
    return undefined;
  }
}

/**
 * `decodeBody` on the main thread, for code inside a store transaction (`verify`): one connection
 * runs one transaction at a time, so every other request's store read waits while a transaction is
 * open — waiting for the thread pool there would only keep them waiting longer.
 */
export function decodeBodySync(body: Buffer, rawBytes?: number): Buffer | undefined {
  if (!isGzip(body)) return undefined;
  try {
    return gunzipSync(body, outputHint(body, rawBytes));
  } catch {
    return undefined;
  }
}
