/**
 * Runs `task` until it succeeds or `stopped()` says the process is shutting down, waiting 1 s, 2 s,
 * 4 s … (at most 15 s) after each failure, which `onError` reports. For boot-time work that must not
 * hold up boot while the database does not answer yet (first admin, migrations, backfills).
 */
export async function retryUntilDone(
  task: () => Promise<unknown>,
  stopped: () => boolean,
  onError: (error: Error) => void,
): Promise<void> {
  for (let attempt = 0; !stopped(); attempt++) {
    try {
      await task();
      return;
    } catch (error) {
      if (stopped()) return;
      onError(error as Error);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, 15000)));
    }
  }
}
