import { describe, expect, it } from "vitest";
import { AdaptiveLimiter } from "../../src/core/adaptive-limiter.js";
import { fakeTime } from "../helpers/fake-time.js";

const throttle = Object.assign(new Error("429"), { retryAfter: 3000 });
const isThrottle = (e: unknown) => e === throttle;

describe("AdaptiveLimiter quota options", () => {
  it("paces at maxRate from the first call and never climbs above it", async () => {
    const time = fakeTime();
    const limiter = new AdaptiveLimiter({ maxConcurrency: 4, isThrottle, maxRate: 10, ...time });
    expect(limiter.rate).toBe(10);
    await Promise.all(Array.from({ length: 21 }, () => limiter.run(async () => "ok")));
    // 21 calls at 10 per second: the last starts 2 s after the first.
    expect(time.now()).toBeGreaterThanOrEqual(2000);
    expect(limiter.rate).toBe(10);
  });

  it("after a throttle, the recovered rate stays capped at maxRate", async () => {
    const time = fakeTime();
    const limiter = new AdaptiveLimiter({ maxConcurrency: 1, isThrottle, maxRate: 5, minSampleMs: 0, random: () => 1, ...time });
    let calls = 0;
    await limiter.run(async () => "warm");
    await time.sleep(1000);
    await limiter.run(async () => {
      if (calls++ === 0) throw throttle;
      return "ok";
    });
    expect(limiter.rate).toBeLessThan(5);
    for (let i = 0; i < 200; i++) await limiter.run(async () => "ok");
    expect(limiter.rate).toBe(5);
  });

  it("waits what retryAfterMs asks when that is longer than its own backoff", async () => {
    const time = fakeTime();
    const waits: number[] = [];
    const retryAfterMs = (e: unknown) => (e as { retryAfter?: number }).retryAfter;
    const limiter = new AdaptiveLimiter({ maxConcurrency: 1, isThrottle, retryAfterMs, onThrottle: (ms) => waits.push(ms), random: () => 1, ...time });
    let calls = 0;
    await limiter.run(async () => {
      if (calls++ === 0) throw throttle;
      return "ok";
    });
    expect(waits).toEqual([3000]);
  });
});
