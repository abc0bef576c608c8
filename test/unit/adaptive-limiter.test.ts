import { describe, expect, it } from "vitest";
import { AdaptiveLimiter } from "../../src/core/adaptive-limiter.js";
import { fakeTime } from "../helpers/fake-time.js";

const throttle = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
const isThrottle = (e: unknown) => e === throttle;

describe("AdaptiveLimiter", () => {
  it("retries throttles with backoff, reports each wait, and gives up after maxRetries", async () => {
    const time = fakeTime();
    const waits: number[] = [];
    const limiter = new AdaptiveLimiter({ maxConcurrency: 2, isThrottle, onThrottle: (ms) => waits.push(ms), maxRetries: 3, random: () => 1, ...time });
    let calls = 0;
    const ok = await limiter.run(async () => {
      calls++;
      if (calls < 3) throw throttle;
      return "done";
    });
    expect([ok, calls, waits]).toEqual(["done", 3, [100, 200]]);
    await expect(limiter.run(async () => Promise.reject(throttle))).rejects.toBe(throttle);
    expect(limiter.stats.throttles).toBe(2 + 4);
  });

  it("keeps retrying past maxRetries while other calls get through: a storm is pacing, not failure", async () => {
    const time = fakeTime();
    const limiter = new AdaptiveLimiter({ maxConcurrency: 2, isThrottle, maxRetries: 3, random: () => 0, ...time });
    let calls = 0;
    const ok = await limiter.run(async () => {
      calls++;
      // Every third attempt another call is served; this one is throttled 30 times in a row.
      if (calls % 3 === 0) await limiter.run(async () => "other");
      if (calls <= 30) throw throttle;
      return "done";
    });
    expect([ok, calls]).toEqual(["done", 31]);
    expect(limiter.stats.throttles).toBe(30);
  });

  it("does not retry other errors", async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 1, isThrottle });
    let calls = 0;
    const boom = new Error("LimitExceededException");
    await expect(
      limiter.run(async () => {
        calls++;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
  });

  it("never has more than maxConcurrency calls in flight", async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 3, isThrottle });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          peak = Math.max(peak, ++inFlight);
          await new Promise((r) => setTimeout(r, 2));
          inFlight--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it("cuts the rate to what was achieved when throttled, then climbs back on success", async () => {
    const time = fakeTime();
    const limiter = new AdaptiveLimiter({ maxConcurrency: 1, isThrottle, random: () => 0, ...time });
    // 100 successes over one second: 100/s achieved.
    for (let i = 0; i < 100; i++) {
      await limiter.run(async () => time.advance(10));
    }
    expect(limiter.rate).toBe(Number.POSITIVE_INFINITY);
    let first = true;
    await limiter.run(async () => {
      if (first) {
        first = false;
        throw throttle;
      }
    });
    const cut = limiter.rate;
    expect(cut).toBeGreaterThan(80);
    expect(cut).toBeLessThan(95);
    for (let i = 0; i < 200; i++) await limiter.run(async () => undefined);
    expect(limiter.rate).toBeGreaterThan(cut);
    // Paced: 200 calls at ~cut/s took about two seconds of (fake) time.
    expect(time.slept.reduce((a, b) => a + b, 0)).toBeGreaterThan(1500);
  });
});
