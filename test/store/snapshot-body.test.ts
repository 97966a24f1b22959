// The stored snapshot (issue 17): its JSON as JSON.stringify writes it, hashed and compressed as it
// is written, gzip in members of 8 MB. Snapshots stored before (canonical JSON, one gzip member at
// level 6) still load and verify; new ones verify, tampering is caught, identical snapshots are stored once.
import { gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '../../src/model/index.js';
import type * as BodyModule from '../../src/store/body.js';
import type { EncodedBody } from '../../src/store/body.js';
import { BODY_CHUNK_BYTES, LARGE_BODY_LEVEL, SMALL_BODY_LEVEL, decodeBody, decodeBodySync, encodeJsonBody } from '../../src/store/body.js';
import { canonicalBytes, canonicalJson, sha256Digest, writeJson } from '../../src/store/canonical.js';
import type { EvidenceStore } from '../../src/store/index.js';
import { backends } from './backends.js';
import { fakeRun } from './fake.js';

/** While set, the store encodes snapshots as eks-soc2 did before issue 17 (canonical JSON, gzip level 6). */
const legacy = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/store/body.js', async (importOriginal) => {
  const real = await importOriginal<typeof BodyModule>();
  return {
    ...real,
    encodeJsonBody: (value: unknown, chunkBytes?: number): EncodedBody => {
      if (!legacy.on) return real.encodeJsonBody(value, chunkBytes);
      const { bytes, digest } = canonicalBytes(value);
      return { digest, rawBytes: bytes.length, body: gzipSync(bytes) };
    },
  };
});

/**
 * The zlib level flag (XFL) of each gzip member of a body, in order: 0 for level 6, 4 for level 1.
 * Walks the members: a 10-byte header (Node writes no optional fields), the deflate data (its length
 * from a raw inflate), an 8-byte trailer.
 */
function memberLevels(body: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off < body.length;) {
    expect([body[off], body[off + 1], body[off + 3]]).toEqual([0x1f, 0x8b, 0]);
    out.push(body[off + 8]!);
    const r = inflateRawSync(body.subarray(off + 10), { info: true }) as unknown as { engine: { bytesWritten: number } };
    off += 10 + r.engine.bytesWritten + 8;
  }
  return out;
}

describe('writeJson', () => {
  const join = (v: unknown, depth?: number) => {
    const parts: string[] = [];
    writeJson(v, (s) => parts.push(s), depth);
    return parts.join('');
  };

  it('writes exactly what JSON.stringify writes, at every streaming depth', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 5 }), (v, depth) => {
      expect(join(v, depth)).toBe(JSON.stringify(v));
    }), { numRuns: 300 });
  });

  it('keeps member order, and follows JSON.stringify for values JSON has no form for', () => {
    const odd = Object.assign(Object.create(null) as Record<string, unknown>, { z: 1, a: 2 });
    const v = {
      z: 1, a: [undefined, () => 1, Symbol('s'), Number.NaN, -Infinity, new Date(0), { toJSON: () => 'custom' }],
      u: undefined, f: () => 2, d: new Date(86_400_000), n: new Number(3), s: new String('x'), odd, '10': 'ten', '9': 'nine',
      nested: { b: { c: { d: [1, { e: undefined, f: null }] } } },
    };
    for (const depth of [0, 1, 2, 3, 4, 6]) expect(join(v, depth)).toBe(JSON.stringify(v));
    expect(join(v)).toContain('"z":1,"a":');
    expect(() => join(undefined)).toThrow(/no JSON text/);
    expect(() => join({ n: 10n })).toThrow();
  });

  it('writes big values in many pieces, none of them the whole text', () => {
    const big = { kubernetes: { objects: Array.from({ length: 500 }, (_, i) => ({ kind: 'Pod', metadata: { name: `p-${i}` } })) } };
    const parts: string[] = [];
    writeJson(big, (s) => parts.push(s));
    expect(parts.length).toBeGreaterThan(500);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(100);
    expect(parts.join('')).toBe(JSON.stringify(big));
  });
});

describe('encodeJsonBody / decodeBody', () => {
  const value = { b: 'ü€😀', a: Array.from({ length: 2000 }, (_, i) => ({ i, s: `item-${i}-${'y'.repeat(40)}`, u: '\u2028"\\' })) };
  const text = JSON.stringify(value);

  it('hashes the JSON.stringify text and compresses it to a gzip any reader takes', async () => {
    const e = encodeJsonBody(value);
    expect(e.digest).toBe(sha256Digest(text));
    expect(e.rawBytes).toBe(Buffer.byteLength(text));
    const body = e.body;
    expect(gunzipSync(body).toString('utf8')).toBe(text);
    expect(SMALL_BODY_LEVEL).toBe(6);
    expect(memberLevels(body)).toEqual([0]);
    expect((await decodeBody(body, e.rawBytes))?.toString('utf8')).toBe(text);
  });

  it('splits a large body into members of the chunk size, compressed at the fast level, readable as one file', async () => {
    const chunk = 4096;
    const e = encodeJsonBody(value, chunk);
    expect(e.digest).toBe(sha256Digest(text));
    const body = e.body;
    expect(LARGE_BODY_LEVEL).toBe(1);
    const levels = memberLevels(body);
    // Chunks end at piece boundaries, so some hold a little less than `chunk` bytes.
    expect(levels.length).toBeGreaterThanOrEqual(Math.ceil(e.rawBytes / chunk));
    expect(levels.length).toBeLessThanOrEqual(Math.ceil(e.rawBytes / (chunk - 200)));
    expect(new Set(levels)).toEqual(new Set([4]));
    expect(gunzipSync(body).toString('utf8')).toBe(text);
    for (const hint of [e.rawBytes, undefined, 10, e.rawBytes * 100, Number.NaN]) {
      expect((await decodeBody(body, hint))?.toString('utf8')).toBe(text);
    }
    // A piece bigger than a chunk gets a chunk of its own.
    const wide = { s: 'x'.repeat(3 * chunk), t: [1, 2] };
    const w = encodeJsonBody(wide, chunk);
    expect(gunzipSync(w.body).toString('utf8')).toBe(JSON.stringify(wide));
    expect(BODY_CHUNK_BYTES).toBeGreaterThanOrEqual(1 << 20);
  });

  it('grows its buffer up to the chunk size before it starts a second member', () => {
    const many = { items: Array.from({ length: 30_000 }, (_, i) => ({ i, s: `item-${i}-${'z'.repeat(60)}` })) };
    const t = JSON.stringify(many);
    expect(t.length).toBeGreaterThan(2 << 20);
    const one = encodeJsonBody(many, 4 << 20);
    expect(memberLevels(one.body)).toEqual([0]);
    expect(gunzipSync(one.body).toString('utf8')).toBe(t);
    const three = encodeJsonBody(many, 1 << 20);
    expect(memberLevels(three.body)).toEqual(Array.from({ length: Math.ceil(one.rawBytes / (1 << 20)) }, () => 4));
    expect(gunzipSync(three.body).toString('utf8')).toBe(t);
    expect(three.digest).toBe(one.digest);
  });

  it('decodes only gzip, and refuses damaged bodies', async () => {
    const body = encodeJsonBody(value, 4096).body;
    expect(await decodeBody(Buffer.from(text))).toBeUndefined();
    expect(await decodeBody(Buffer.alloc(0))).toBeUndefined();
    expect(await decodeBody(body.subarray(0, body.length - 9), 10_000_000)).toBeUndefined();
    const flipped = Buffer.from(body);
    const mid = Math.floor(flipped.length / 2);
    flipped[mid] = flipped[mid]! ^ 0x40;
    const out = await decodeBody(flipped);
    expect(out === undefined || out.toString('utf8') !== text).toBe(true);
    expect(decodeBodySync(body, 10)?.toString('utf8')).toBe(text);
    expect(decodeBodySync(Buffer.from(text))).toBeUndefined();
    expect(decodeBodySync(body.subarray(0, body.length - 9))).toBeUndefined();
  });
});

for (const { backend: b, skip } of backends('snapbody')) {
  describe.skipIf(skip)(`stored snapshots, before and after issue 17 (${b.name})`, () => {
    let store: EvidenceStore;
    beforeEach(async () => {
      await b.setup();
      store = await b.open();
    });
    afterEach(async () => {
      legacy.on = false;
      await store?.close();
      await b.teardown();
    });

    const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d, 2));
    function runOf(d: number, payload?: string) {
      const { run, snapshot } = fakeRun(day(d), [{ id: 'CC5-X-01', status: 'pass' }], payload ? { payload } : {});
      // Members in no sorted order: the canonical and the stored text differ.
      snapshot.kubernetes.objects.push({ kind: 'Pod', apiVersion: 'v1', metadata: { namespace: 'default', name: `p-${d}` }, spec: { z: 1, a: 2 } } as Snapshot['kubernetes']['objects'][number]);
      return { run, snapshot };
    }
    const bodyOf = async (digest: string) => Buffer.from((await store.driver.all('SELECT body FROM snapshots WHERE digest = ?', [digest]))[0]!.body as Uint8Array);

    it('loads and verifies a snapshot stored the old way next to one stored the new way', async () => {
      legacy.on = true;
      const old = runOf(0);
      const oldStored = await store.appendRun(old.run, old.snapshot, { at: day(0) });
      legacy.on = false;
      const neu = runOf(1);
      const newStored = await store.appendRun(neu.run, neu.snapshot, { at: day(1) });

      // The old row really is the old encoding: canonical JSON, one gzip member at level 6.
      const oldBody = await bodyOf(oldStored.snapshotDigest);
      expect(oldStored.snapshotDigest).toBe(sha256Digest(canonicalJson(old.snapshot)));
      expect(gunzipSync(oldBody).toString('utf8')).toBe(canonicalJson(old.snapshot));
      expect(oldStored.snapshotDigest).not.toBe(sha256Digest(JSON.stringify(old.snapshot)));
      // The new one is the JSON.stringify text.
      expect(newStored.snapshotDigest).toBe(sha256Digest(JSON.stringify(neu.snapshot)));
      expect(gunzipSync(await bodyOf(newStored.snapshotDigest)).toString('utf8')).toBe(JSON.stringify(neu.snapshot));

      expect(await store.loadSnapshot(oldStored.snapshotDigest)).toEqual(JSON.parse(JSON.stringify(old.snapshot)));
      expect(await store.loadSnapshot(newStored.snapshotDigest)).toEqual(JSON.parse(JSON.stringify(neu.snapshot)));
      const v = await store.verify();
      expect(v.problems).toEqual([]);
      expect(v.snapshotsChecked).toBe(2);
    });

    it('reads a new snapshot stored as several gzip members', async () => {
      const r = runOf(0);
      const stored = await store.appendRun(r.run, r.snapshot, { at: day(0) });
      const multi = encodeJsonBody(r.snapshot, 256).body;
      expect(memberLevels(multi).length).toBeGreaterThan(2);
      await store.driver.run('UPDATE snapshots SET body = ? WHERE digest = ?', [multi, stored.snapshotDigest]);
      expect((await store.verify()).ok).toBe(true);
      expect((await store.loadSnapshot(stored.snapshotDigest)).kubernetes.objects).toHaveLength(2);
    });

    it('detects a new snapshot whose body was tampered with, or replaced by the same content in another key order', async () => {
      const a = runOf(0);
      const sa = await store.appendRun(a.run, a.snapshot, { at: day(0) });
      const c = runOf(1);
      const sc = await store.appendRun(c.run, c.snapshot, { at: day(1) });

      // One byte of the JSON changed, recompressed: well-formed, wrong.
      const text = JSON.stringify(a.snapshot).replace('"p-0"', '"p-9"');
      await store.driver.run('UPDATE snapshots SET body = ? WHERE digest = ?', [gzipSync(text), sa.snapshotDigest]);
      // The same content, canonical (key-sorted) instead of as stored: the digest is over the stored bytes.
      await store.driver.run('UPDATE snapshots SET body = ? WHERE digest = ?', [gzipSync(canonicalJson(c.snapshot)), sc.snapshotDigest]);
      const v = await store.verify();
      expect(v.ok).toBe(false);
      expect(v.problems.map((p) => [p.kind, p.runId])).toEqual([['snapshot', sa.runId], ['snapshot', sc.runId]]);
      expect(v.problems[0]!.message).toMatch(/altered/);
      await expect(store.loadSnapshot(sa.snapshotDigest)).rejects.toThrow(/damaged or was altered/);
      await expect(store.loadSnapshot(sc.snapshotDigest)).rejects.toThrow(/damaged or was altered/);
    });

    it('stores an identical snapshot once, also when it was loaded back from the store', async () => {
      const a = runOf(0, 'same');
      const b2 = runOf(0, 'same');
      const r1 = await store.appendRun(a.run, a.snapshot, { at: day(0) });
      const r2 = await store.appendRun(b2.run, b2.snapshot, { at: day(1) });
      // `scan --run` re-reads a stored snapshot: parsed and serialised again, it is the same bytes.
      const back = await store.loadSnapshot(r1.snapshotDigest);
      const r3 = await store.appendRun(runOf(2).run, back, { at: day(2) });
      expect([r1.snapshotDeduplicated, r2.snapshotDeduplicated, r3.snapshotDeduplicated]).toEqual([false, true, true]);
      expect(new Set([r1.snapshotDigest, r2.snapshotDigest, r3.snapshotDigest]).size).toBe(1);
      const n = await store.driver.all('SELECT COUNT(*) AS n FROM snapshots');
      expect(Number(n[0]!.n)).toBe(1);
      expect((await store.verify()).ok).toBe(true);
    });

    it.skipIf(b.name !== 'sqlite')('verifies snapshots without leaving its transaction open to other requests (one SQLite connection)', async () => {
      for (let d = 0; d < 3; d++) await store.appendRun(runOf(d).run, runOf(d).snapshot, { at: day(d) });
      // The dashboard runs each request's store reads as it arrives; a verify that waited for the
      // thread pool inside its read transaction made the next request's read fail ("concurrent transaction").
      const other = new Promise((resolve, reject) => { setImmediate(() => { store.clusters().then(resolve, reject); }); });
      const [v, clusters] = await Promise.all([store.verify(), other]);
      expect(v.ok).toBe(true);
      expect(v.snapshotsChecked).toBe(3);
      expect(clusters).toHaveLength(1);
    });

    it('keys content by its stored bytes: the same content in another member order, or stored the old way, is a second body', async () => {
      const a = runOf(0, 'same');
      const r1 = await store.appendRun(a.run, a.snapshot, { at: day(0) });
      const reordered = Object.fromEntries(Object.entries(a.snapshot).reverse()) as unknown as Snapshot;
      expect(canonicalJson(reordered)).toBe(canonicalJson(a.snapshot));
      const r2 = await store.appendRun(runOf(1).run, reordered, { at: day(1) });
      legacy.on = true;
      const r3 = await store.appendRun(runOf(2).run, a.snapshot, { at: day(2) });
      legacy.on = false;
      expect(r2.snapshotDeduplicated).toBe(false);
      expect(r3.snapshotDeduplicated).toBe(false);
      expect(new Set([r1.snapshotDigest, r2.snapshotDigest, r3.snapshotDigest]).size).toBe(3);
      expect((await store.verify()).ok).toBe(true);
    });
  });
}
