/**
 * Client-side token bucket (client-go's `flowcontrol` rate limiter in spirit): `qps` tokens per
 * second, at most `burst` saved up. `@kubernetes/client-node` has none, and without one a scanner
 * can hammer an API server that production controllers share. `qps <= 0` disables it.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Total milliseconds callers were made to wait (reported in collection statistics). */
  waitedMs = 0;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = Math.max(1, burst);
    this.last = now();
  }

  /** Wait until a request may be sent. Waiters are served in call order (a token is reserved at call time). */
  async take(): Promise<void> {
    if (this.qps <= 0) return;
    const t = this.now();
    this.tokens = Math.min(Math.max(1, this.burst), this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    const wait = (-this.tokens / this.qps) * 1000;
    this.waitedMs += wait;
    await this.sleep(wait);
  }
}
