import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson, normaliseDigest, sha256Digest, writeCanonical } from '../../src/store/canonical.js';

describe('canonicalJson (RFC 8785 style)', () => {
  it('sorts keys, drops whitespace, keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: true, c: null }], 'é': 'x' })).toBe('{"a":[3,{"c":null,"d":true}],"b":1,"é":"x"}');
  });

  it('orders keys by UTF-16 code units', () => {
    // RFC 8785 §3.2.3 example keys: sorting is by code units, so U+20AC (€) < U+FB33 < U+1F600 (surrogates D83D...).
    const obj = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // (Read the order from the text: a parsed object would list the integer-like key "1" first.)
    const text = canonicalJson(obj);
    const keys = [...text.matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('serialises numbers as ECMAScript does (RFC 8785 §3.2.2.3)', () => {
    expect(canonicalJson([0, -0, 1e21, 1e-7, 333333333.3333333, 4.5, 2 ** 53, -1.5e-10])).toBe('[0,0,1e+21,1e-7,333333333.3333333,4.5,9007199254740992,-1.5e-10]');
  });

  it('escapes strings like JSON.stringify', () => {
    expect(canonicalJson('a"b\\c\n\u0001\u2028')).toBe(JSON.stringify('a"b\\c\n\u0001\u2028'));
  });

  it('leaves out undefined members and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/\$\.x is NaN/);
    expect(() => canonicalJson({ x: [Infinity] })).toThrow(/\$\.x\[0\] is Infinity/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    expect(() => canonicalJson({ n: 10n })).toThrow(/bigint/);
  });

  it('streams the same text as it builds', () => {
    const v = { z: [{ b: 1, a: [1, { d: 2, c: 3 }] }, null], a: { '10': 1, '9': 2, x: 'é' }, m: undefined };
    for (const depth of [0, 1, 2, 3, 6]) {
      const parts: string[] = [];
      writeCanonical(v, (s) => parts.push(s), depth);
      expect(parts.join('')).toBe(canonicalJson(v));
    }
    expect(canonicalJson({ '10': 1, '9': 2 })).toBe('{"10":1,"9":2}');
    expect(() => writeCanonical({ a: [{ b: Number.NaN }] }, () => {}, 2)).toThrow('canonical JSON: $.a[0].b is NaN');
  });

  it('is independent of key insertion order and round-trips through JSON.parse', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const text = canonicalJson(v);
      expect(canonicalJson(JSON.parse(text))).toBe(text);
      const shuffled = JSON.parse(JSON.stringify(v), function reviver(this: unknown, _k, val: unknown) {
        if (val && typeof val === 'object' && !Array.isArray(val)) return Object.fromEntries(Object.entries(val).reverse());
        return val;
      }) as unknown;
      expect(canonicalJson(shuffled)).toBe(text);
    }), { numRuns: 300 });
  });

  it('canonicalBytes hashes the same text as canonicalJson, in chunks for big values', () => {
    const big = { items: Array.from({ length: 20000 }, (_, i) => ({ i, s: `item-${i}-${'y'.repeat(60)}`, u: 'ü€😀' })) };
    const { bytes, digest } = canonicalBytes(big);
    const text = canonicalJson(big);
    expect(bytes.toString('utf8')).toBe(text);
    expect(digest).toBe(sha256Digest(text));
    expect(bytes.length).toBeGreaterThan(1 << 20);
  });

  it('normaliseDigest accepts a hash with or without prefix', () => {
    const h = 'A'.repeat(64);
    expect(normaliseDigest(h)).toBe(`sha256:${'a'.repeat(64)}`);
    expect(normaliseDigest(` sha256:${'b'.repeat(64)} `)).toBe(`sha256:${'b'.repeat(64)}`);
    expect(normaliseDigest('sha256:abc')).toBeUndefined();
  });
});
