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
  return canonical(value);
}

/** A value JSON cannot represent; `path` grows from the inside out as the error travels up. */
class CanonicalError extends TypeError {
  readonly what: string;
  path: string;
  constructor(what: string) {
    super(what);
    this.what = what;
    this.path = '';
  }
  at(segment: string): CanonicalError {
    this.path = segment + this.path;
    this.message = `canonical JSON: $${this.path} is ${this.what}, which JSON cannot represent`;
    return this;
  }
}

function refuse(what: string): never {
  throw new CanonicalError(what).at('');
}

/** The canonical text of a value, built as one string (fast for values of moderate size). */
function canonical(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) refuse(String(v));
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      refuse(`a ${typeof v}`);
  }
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      let part: string;
      try {
        // JSON.stringify writes null for undefined array items; do the same.
        part = item === undefined ? 'null' : canonical(item);
      } catch (err) {
        throw err instanceof CanonicalError ? err.at(`[${i}]`) : err;
      }
      s += (i ? ',' : '') + part;
    }
    return `${s}]`;
  }
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let s = '{';
  let first = true;
  for (const k of keys) {
    const val = obj[k];
    if (val === undefined) continue;
    let part: string;
    try {
      part = canonical(val);
    } catch (err) {
      throw err instanceof CanonicalError ? err.at(`.${k}`) : err;
    }
    s += `${first ? '' : ','}${JSON.stringify(k)}:${part}`;
    first = false;
  }
  return `${s}}`;
}

/**
 * Stream the canonical JSON of `value` to `write` in pieces, so that a very large value (a snapshot
 * of a big cluster) can be hashed and compressed without building one giant string: the first
 * `streamDepth` levels of objects and arrays are written member by member, anything deeper as
 * one string per member.
 */
export function writeCanonical(value: unknown, write: (chunk: string) => void, streamDepth = 3): void {
  if (streamDepth <= 0 || value === null || typeof value !== 'object' || value instanceof Date) {
    write(canonical(value));
    return;
  }
  if (Array.isArray(value)) {
    write('[');
    for (let i = 0; i < value.length; i++) {
      if (i) write(',');
      const item: unknown = value[i];
      if (item === undefined) write('null');
      else {
        try {
          writeCanonical(item, write, streamDepth - 1);
        } catch (err) {
          throw err instanceof CanonicalError ? err.at(`[${i}]`) : err;
        }
      }
    }
    write(']');
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  write('{');
  keys.forEach((k, i) => {
    write(`${i ? ',' : ''}${JSON.stringify(k)}:`);
    try {
      writeCanonical(obj[k], write, streamDepth - 1);
    } catch (err) {
      throw err instanceof CanonicalError ? err.at(`.${k}`) : err;
    }
  });
  write('}');
}

/** A plain object or array without `toJSON`: one `writeJson` may write member by member. */
function streamable(v: object): boolean {
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(v)) return true;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Stream the JSON text of `value` exactly as `JSON.stringify(value)` writes it — members in the
 * object's own order, `toJSON` honoured, `undefined`, functions and symbols left out of objects
 * (written as `null` in arrays), non-finite numbers as `null` — in pieces: the first `streamDepth`
 * levels of plain objects and arrays member by member, anything deeper with one `JSON.stringify`
 * per member. The pieces joined are `JSON.stringify(value)` (one difference: a `toJSON` below the
 * streamed levels is called with the key `''`). This is the stored form of a snapshot: native
 * serialisation, no key sorting, so a 170 MB snapshot is written in about a second.
 */
export function writeJson(value: unknown, write: (chunk: string) => void, streamDepth = 3): void {
  if (streamDepth <= 0 || value === null || typeof value !== 'object' || !streamable(value)) {
    const s = JSON.stringify(value) as string | undefined;
    if (s === undefined) throw new TypeError(`JSON: a ${typeof value} has no JSON text`);
    write(s);
    return;
  }
  if (Array.isArray(value)) {
    write('[');
    for (let i = 0; i < value.length; i++) {
      if (i) write(',');
      const item: unknown = value[i];
      if (streamDepth > 1 && item !== null && typeof item === 'object' && streamable(item)) writeJson(item, write, streamDepth - 1);
      else write((JSON.stringify(item) as string | undefined) ?? 'null');
    }
    write(']');
    return;
  }
  const obj = value as Record<string, unknown>;
  write('{');
  let first = true;
  for (const k of Object.keys(obj)) {
    const member = obj[k];
    if (streamDepth > 1 && member !== null && typeof member === 'object' && streamable(member)) {
      write(`${first ? '' : ','}${JSON.stringify(k)}:`);
      writeJson(member, write, streamDepth - 1);
    } else {
      const s = JSON.stringify(member) as string | undefined;
      if (s === undefined) continue;
      write(`${first ? '' : ','}${JSON.stringify(k)}:${s}`);
    }
    first = false;
  }
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
