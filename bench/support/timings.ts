import { performance } from 'node:perf_hooks';

/** The `p`th percentile (0–100) of `values`, by rank. */
export function percentile(values: number[], p: number): number {
  // A fraction here (0.95 for p95) silently reported the fastest sample instead.
  if (!(p === 0 || (p >= 1 && p <= 100))) throw new RangeError(`percentile: p is 0–100, not ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `work(0)` … `work(reps - 1)` one after another; the milliseconds each took. */
export async function timings(reps: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await work(i);
    out.push(performance.now() - start);
  }
  return out;
}
