/**
 * Extensions one module consults and others register at init (title dependents, tenant dependents,
 * file scopes), so the consulting module needs no import of the modules that extend it.
 */
export class Registry<T> {
  private readonly entries: T[] = [];

  register(entry: T): void {
    this.entries.push(entry);
  }

  all(): readonly T[] {
    return this.entries;
  }
}
