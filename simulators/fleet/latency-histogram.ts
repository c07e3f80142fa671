// A log-bucketed latency histogram (2 % wide buckets from 10 µs): cheap to record at tens of thousands
// of calls a second, and mergeable across worker processes, which raw percentiles are not.

const BASE_MS = 0.01;
const GROWTH = Math.log(1.02);

export type HistogramData = Array<[bucket: number, count: number]>;

export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  count = 0;
  sumMs = 0;
  maxMs = 0;

  record(ms: number): void {
    const bucket = ms <= BASE_MS ? 0 : Math.ceil(Math.log(ms / BASE_MS) / GROWTH);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  toJSON(): { buckets: HistogramData; count: number; sumMs: number; maxMs: number } {
    return { buckets: [...this.buckets], count: this.count, sumMs: this.sumMs, maxMs: this.maxMs };
  }

  merge(data: ReturnType<LatencyHistogram['toJSON']>): void {
    for (const [bucket, n] of data.buckets) this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + n);
    this.count += data.count;
    this.sumMs += data.sumMs;
    this.maxMs = Math.max(this.maxMs, data.maxMs);
  }

  /** The upper edge of the bucket holding the p-th percentile (at most 2 % above the true value). */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket)!;
      if (seen >= rank) return Math.min(this.maxMs, BASE_MS * Math.exp(bucket * GROWTH));
    }
    return this.maxMs;
  }

  summary(): { count: number; meanMs: number; p50Ms: number; p99Ms: number; maxMs: number } {
    const r = (v: number) => Math.round(v * 100) / 100;
    return {
      count: this.count,
      meanMs: r(this.count ? this.sumMs / this.count : NaN),
      p50Ms: r(this.percentile(50)),
      p99Ms: r(this.percentile(99)),
      maxMs: r(this.maxMs),
    };
  }
}
