/** A token bucket: `rate` tokens a second, holding at most one second's worth. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.last = now;
  }

  /** Changes the rate (a workspace's setting was edited); tokens already earned are kept up to the new size. */
  setRate(rate: number): void {
    this.rate = rate;
    this.tokens = Math.min(this.tokens, rate);
  }

  /**
   * Takes a token. Returns how many milliseconds to wait before using it (0 = now), or, when that wait
   * would exceed `maxWaitMs`, takes nothing and returns `{ retryInMs }`: try again then.
   */
  take(now: number, maxWaitMs: number): number | { retryInMs: number } {
    if (this.rate <= 0) return { retryInMs: 60_000 };
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    // Tokens go negative for sends reserved ahead; the deficit is the wait.
    const waitMs = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.rate;
    if (waitMs > maxWaitMs) return { retryInMs: Math.ceil(waitMs) };
    this.tokens -= 1;
    return Math.ceil(waitMs);
  }
}

/** One token bucket per workspace, in this process. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** See {@link TokenBucket.take}; `rate` is the workspace's emails per second. */
  take(workspaceId: string, rate: number, maxWaitMs: number): number | { retryInMs: number } {
    const now = this.clock();
    let bucket = this.buckets.get(workspaceId);
    if (!bucket) {
      bucket = new TokenBucket(rate, now);
      this.buckets.set(workspaceId, bucket);
    } else bucket.setRate(rate);
    return bucket.take(now, maxWaitMs);
  }
}
