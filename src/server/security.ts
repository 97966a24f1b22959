import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * The dashboard's defences: security headers on every answer, the bearer token, and the Host
 * check that keeps a loopback-only dashboard out of reach of DNS rebinding.
 */

/** No inline script or style, nothing from another origin, never framed. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 (and its IPv4-mapped form), localhost. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return Boolean(mapped && mapped[1]!.startsWith('127.'));
  }
  return false;
}

/** The host name of a Host header (`[::1]:8080` → `::1`, `localhost:80` → `localhost`). */
export function hostName(header: string): string {
  const t = header.trim().toLowerCase();
  if (t.startsWith('[')) return t.slice(1, t.indexOf(']') === -1 ? undefined : t.indexOf(']'));
  const colon = t.lastIndexOf(':');
  return colon === -1 ? t : t.slice(0, colon);
}

/** Shortest token accepted: a guessable token on a network address would be no protection. */
export const MIN_TOKEN_LENGTH = 16;
/** Fewest different characters a token must use (`aaaaaaaaaaaaaaaa` is 16 characters and one guess). */
export const MIN_TOKEN_DISTINCT = 8;

/**
 * Why a token cannot protect the dashboard, or undefined when it can: too short, too repetitive,
 * or holding whitespace or control characters (which no `Authorization: Bearer` header can carry,
 * so a token of spaces would lock everyone out while looking long enough).
 */
export function tokenWeakness(token: string): string | undefined {
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(token)) return 'holds whitespace or control characters, which an "Authorization: Bearer" header cannot carry';
  const length = [...token].length;
  if (length < MIN_TOKEN_LENGTH) return `is too short (${length} characters; at least ${MIN_TOKEN_LENGTH} are needed)`;
  if (new Set(token).size < MIN_TOKEN_DISTINCT) return `is too repetitive (${new Set(token).size} different characters; at least ${MIN_TOKEN_DISTINCT} are needed)`;
  return undefined;
}

/** Compares bearer tokens in constant time (both sides hashed to the same length first). */
export function tokenChecker(token: string): (authorization: string | undefined) => boolean {
  const expected = createHash('sha256').update(token, 'utf8').digest();
  return (authorization) => {
    const m = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    const given = createHash('sha256').update(m?.[1] ?? '', 'utf8').digest();
    return timingSafeEqual(given, expected) && m !== null;
  };
}
