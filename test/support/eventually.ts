/**
 * Retries `probe` until it returns a value `accept` approves, or fails with the last value seen once
 * `timeoutMs` has passed. For conditions that settle asynchronously (health after an outage, ...).
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 5000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen = last === undefined ? String(lastError) : JSON.stringify(last);
  throw new Error(`${what} did not hold within ${timeoutMs} ms; last seen: ${seen}`);
}
