/**
 * Runs tasks one after another per key, in the order they were queued (different keys run side by
 * side). For writes fired after a response, whose client may already be sending the next request:
 * without it, the later write can land first and the earlier one overwrite it.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget the key once its last task is done, so the map holds only keys with work pending.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running (for tests). */
  get pending(): number {
    return this.tails.size;
  }
}
