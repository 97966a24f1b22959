import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/collectors/kubernetes/rate-limit.js';
import { parseRetryAfter } from '../../../src/collectors/kubernetes/http.js';

/** A token bucket on a fake clock: sleeping advances time. */
function fake(qps: number, burst: number) {
  let now = 0;
  const sleeps: number[] = [];
  const bucket = new TokenBucket(qps, burst, () => now, async (ms) => { sleeps.push(ms); now += ms; });
  return { bucket, sleeps, advance: (ms: number) => { now += ms; }, now: () => now };
}

describe('client-side rate limit', () => {
  it('lets a burst through, then paces requests at qps', async () => {
    const { bucket, sleeps, now } = fake(10, 20);
    for (let i = 0; i < 20; i++) await bucket.take();
    expect(sleeps).toEqual([]);
    for (let i = 0; i < 10; i++) await bucket.take();
    expect(sleeps).toHaveLength(10);
    for (const s of sleeps) expect(s).toBeCloseTo(100, 5);
    expect(now()).toBeCloseTo(1000, 5); // 10 more requests at 10 QPS take a second
    expect(bucket.waitedMs).toBeCloseTo(1000, 5);
  });

  it('refills while idle, up to the burst', async () => {
    const { bucket, sleeps, advance } = fake(5, 10);
    for (let i = 0; i < 10; i++) await bucket.take();
    advance(60_000);
    for (let i = 0; i < 10; i++) await bucket.take();
    expect(sleeps).toEqual([]);
    await bucket.take();
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeCloseTo(200, 5);
  });

  it('serves concurrent callers in order, each reserving its own slot', async () => {
    const sleeps: number[] = [];
    const bucket = new TokenBucket(2, 1, () => 0, async (ms) => { sleeps.push(ms); }); // all arrive at t=0
    await Promise.all([bucket.take(), bucket.take(), bucket.take()]);
    expect(sleeps.map((s) => Math.round(s))).toEqual([500, 1000]);
  });

  it('qps 0 disables the limit', async () => {
    const { bucket, sleeps } = fake(0, 1);
    for (let i = 0; i < 1000; i++) await bucket.take();
    expect(sleeps).toEqual([]);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const d = parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())!;
    expect(d).toBeGreaterThan(8000);
    expect(d).toBeLessThanOrEqual(10_000);
  });
});
