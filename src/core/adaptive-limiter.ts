/**
 * Paces calls to an API without knowing its quota: AIMD on a request rate inside a concurrency cap.
 * A throttle cuts the rate to `decrease` × the rate achieved (under a quota, the quota), once per
 * burst; each success adds a little back, and the throttled call is retried after a backoff.
 * A call gives up after `maxRetries` throttles in a row only if no other call got through meanwhile:
 * a storm the service still serves through is pacing, not failure.
 */
export interface AdaptiveLimiterOptions {
  readonly maxConcurrency: number;
  readonly isThrottle: (error: unknown) => boolean;
  readonly onThrottle?: (retryInMs: number) => void;
  readonly maxRetries?: number;
  readonly decrease?: number;
  readonly increase?: number;
  readonly minRate?: number;
  readonly cutIntervalMs?: number;
  /** How long calls must have run before the achieved rate is trusted enough to cut to. */
  readonly minSampleMs?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** A documented quota (GCP: 600 writes a minute): pacing starts there and never exceeds it. */
  readonly maxRate?: number;
  /** HTTP Retry-After, honoured when longer than the backoff. */
  readonly retryAfterMs?: (error: unknown) => number | undefined;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface LimiterStats {
  throttles: number;
  calls: number;
}

type Optional = "onThrottle" | "maxRate" | "retryAfterMs";

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class AdaptiveLimiter {
  readonly stats: LimiterStats = { throttles: 0, calls: 0 };
  private rateNow = Number.POSITIVE_INFINITY;
  private step = 0;
  private nextStart = 0;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private lastCut = Number.NEGATIVE_INFINITY;
  private firstStart: number | undefined;
  private succeededCount = 0;
  private readonly successes: number[] = [];
  private readonly o: Required<Omit<AdaptiveLimiterOptions, Optional>> & Pick<AdaptiveLimiterOptions, Optional>;

  constructor(options: AdaptiveLimiterOptions) {
    this.o = {
      maxRetries: 12,
      decrease: 0.9,
      increase: 0.1,
      minRate: 1,
      cutIntervalMs: 1000,
      minSampleMs: 500,
      baseDelayMs: 100,
      maxDelayMs: 5000,
      now: () => performance.now(),
      sleep: realSleep,
      random: Math.random,
      ...options,
      maxConcurrency: Math.max(1, Math.floor(options.maxConcurrency)),
    };
    this.rateNow = this.o.maxRate ?? Number.POSITIVE_INFINITY;
  }

  get rate(): number {
    return this.rateNow;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    let servedBefore = this.succeededCount;
    let sinceServed = 0;
    for (let attempt = 0; ; attempt++) {
      const sentAt = await this.acquire();
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        this.release();
        if (!this.o.isThrottle(error)) throw error;
        this.stats.throttles++;
        if (sinceServed++ >= this.o.maxRetries) {
          if (this.succeededCount === servedBefore) throw error;
          servedBefore = this.succeededCount;
          sinceServed = 1;
        }
        const wait = Math.max(this.throttled(sentAt, attempt), this.o.retryAfterMs?.(error) ?? 0);
        this.o.onThrottle?.(wait);
        await this.o.sleep(wait);
        continue;
      }
      this.release();
      this.succeeded();
      return result;
    }
  }

  private async acquire(): Promise<number> {
    while (this.inFlight >= this.o.maxConcurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    this.stats.calls++;
    const now = this.o.now();
    this.firstStart ??= now;
    if (Number.isFinite(this.rateNow)) {
      const start = Math.max(now, this.nextStart);
      this.nextStart = start + 1000 / this.rateNow;
      if (start > now) await this.o.sleep(start - now);
    }
    return this.o.now();
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  private succeeded(): void {
    this.succeededCount++;
    const now = this.o.now();
    this.successes.push(now);
    while ((this.successes[0] ?? now) < now - 1000) this.successes.shift();
    if (Number.isFinite(this.rateNow)) this.rateNow = Math.min(this.o.maxRate ?? Number.POSITIVE_INFINITY, this.rateNow + this.step / this.rateNow);
  }

  private measured(now: number): number {
    while ((this.successes[0] ?? now) < now - 1000) this.successes.shift();
    const span = Math.min(1000, now - (this.firstStart ?? now));
    return span > 0 ? (this.successes.length * 1000) / span : 0;
  }

  private throttled(sentAt: number, attempt: number): number {
    const now = this.o.now();
    const achieved = this.measured(now);
    // Until a fair sample exists (warm-up, first connections) there is no rate to cut to; the backoff alone applies.
    const sampled = now - (this.firstStart ?? now) >= this.o.minSampleMs && achieved > 0;
    if (sampled && sentAt >= this.lastCut && now - this.lastCut >= this.o.cutIntervalMs) {
      this.rateNow = Math.max(this.o.minRate, Math.min(this.rateNow, achieved) * this.o.decrease);
      this.step = Math.max(this.o.minRate, this.rateNow * this.o.increase);
      this.lastCut = now;
      this.nextStart = Math.max(this.nextStart, now);
    }
    const ceiling = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** attempt);
    return Math.round(ceiling * (0.5 + this.o.random() / 2));
  }
}
