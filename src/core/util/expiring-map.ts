/**
 * A bounded map whose entries stop counting `ttlMs` after they were set: the in-memory record caches
 * (file records, tracks, covers, tenants, scope answers). Full, it lets go of the entry set longest ago.
 */
export class ExpiringMap<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value set for `key` less than `ttlMs` ago, else undefined. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.until > this.now() ? entry.value : undefined;
  }

  set(key: K, value: V): void {
    // Set again, a key goes to the back of the line.
    if (!this.entries.delete(key) && this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
