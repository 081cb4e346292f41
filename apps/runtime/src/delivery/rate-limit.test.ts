import { describe, expect, it } from 'vitest';
import { RateLimiter, TokenBucket } from './rate-limit.ts';

describe('TokenBucket', () => {
  it('allows a burst of one second, then spaces sends at the rate', () => {
    const bucket = new TokenBucket(10, 0);
    for (let i = 0; i < 10; i++) expect(bucket.take(0, 1000)).toBe(0);
    expect(bucket.take(0, 1000)).toBe(100);
    expect(bucket.take(0, 1000)).toBe(200);
  });

  it('refills with time, never above one second of tokens', () => {
    const bucket = new TokenBucket(2, 0);
    expect(bucket.take(0, 0)).toBe(0);
    expect(bucket.take(0, 0)).toBe(0);
    expect(bucket.take(0, 0)).toEqual({ retryInMs: 500 });
    expect(bucket.take(500, 0)).toBe(0);
    expect(bucket.take(10_000, 0)).toBe(0);
    expect(bucket.take(10_000, 0)).toBe(0);
    expect(bucket.take(10_000, 0)).toEqual({ retryInMs: 500 });
  });

  it('does not reserve a token when the wait is too long, so a deferred send costs nothing', () => {
    const bucket = new TokenBucket(1, 0);
    expect(bucket.take(0, 0)).toBe(0);
    expect(bucket.take(0, 100)).toEqual({ retryInMs: 1000 });
    expect(bucket.take(1000, 0)).toBe(0);
  });

  it('defers everything when the rate is zero (sending paused)', () => {
    expect(new TokenBucket(0, 0).take(0, 1000)).toEqual({ retryInMs: 60_000 });
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per workspace and follows rate changes', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    expect(limiter.take('a', 1, 0)).toBe(0);
    expect(limiter.take('b', 1, 0)).toBe(0);
    expect(limiter.take('a', 1, 0)).toEqual({ retryInMs: 1000 });
    now = 1000;
    expect(limiter.take('a', 100, 0)).toBe(0);
  });
});
