import { createHash } from 'node:crypto';

/**
 * Canonical JSON in the manner of RFC 8785 (JSON Canonicalization Scheme): object members sorted by
 * key (UTF-16 code units, which is JavaScript's default string order), no insignificant whitespace,
 * strings and numbers serialised exactly as ECMAScript `JSON.stringify` does (which is what RFC 8785
 * prescribes for finite numbers). Members whose value is `undefined` are left out, as JSON does.
 * `NaN`, `Infinity`, bigints, functions and symbols have no JSON form and are refused.
 *
 * The hash chain of the evidence store is computed over this text, so it must never change for
 * the same value: keep this function small, pure and tested.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  writeCanonical(value, (s) => parts.push(s), '$');
  return parts.join('');
}

/** Text that is already canonical JSON, spliced into a canonical document as-is. */
export class CanonicalRaw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * Stream the canonical JSON of `value` to `write` in pieces, so that a very large value (a snapshot
 * of a big cluster) can be hashed and compressed without building one giant string.
 */
export function writeCanonical(value: unknown, write: (chunk: string) => void, path = '$'): void {
  if (value === null) {
    write('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      write(JSON.stringify(value));
      return;
    case 'boolean':
      write(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${path} is ${value}, which JSON cannot represent`);
      write(JSON.stringify(value));
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}, which JSON cannot represent`);
  }
  if (value instanceof CanonicalRaw) {
    write(value.text);
    return;
  }
  if (Array.isArray(value)) {
    write('[');
    for (let i = 0; i < value.length; i++) {
      if (i) write(',');
      const item: unknown = value[i];
      // JSON.stringify writes null for undefined array items; do the same.
      if (item === undefined) write('null');
      else writeCanonical(item, write, `${path}[${i}]`);
    }
    write(']');
    return;
  }
  if (value instanceof Date) {
    write(JSON.stringify(value.toISOString()));
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  write('{');
  keys.forEach((k, i) => {
    if (i) write(',');
    write(JSON.stringify(k));
    write(':');
    writeCanonical(obj[k], write, `${path}.${k}`);
  });
  write('}');
}

export const DIGEST_PREFIX = 'sha256:';

/** `sha256:<hex>` of a string (UTF-8) or bytes. */
export function sha256Digest(data: string | Uint8Array): string {
  return DIGEST_PREFIX + createHash('sha256').update(data).digest('hex');
}

/**
 * The canonical JSON of a value as UTF-8 bytes and its sha256 digest, computed in chunks (no single
 * string of the whole document is built).
 */
export function canonicalBytes(value: unknown): { bytes: Buffer; digest: string } {
  const hash = createHash('sha256');
  const buffers: Buffer[] = [];
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = () => {
    if (!pendingLength) return;
    const b = Buffer.from(pending.join(''), 'utf8');
    hash.update(b);
    buffers.push(b);
    pending = [];
    pendingLength = 0;
  };
  writeCanonical(value, (s) => {
    pending.push(s);
    pendingLength += s.length;
    if (pendingLength >= 1 << 20) flush();
  });
  flush();
  return { bytes: buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers), digest: DIGEST_PREFIX + hash.digest('hex') };
}

/** A digest as users may paste it: with or without the `sha256:` prefix, any case. */
export function normaliseDigest(s: string): string | undefined {
  const t = s.trim().toLowerCase();
  const hex = t.startsWith(DIGEST_PREFIX) ? t.slice(DIGEST_PREFIX.length) : t;
  return /^[0-9a-f]{64}$/.test(hex) ? DIGEST_PREFIX + hex : undefined;
}
