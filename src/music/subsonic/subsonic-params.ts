import { SubsonicError, SubsonicErrorCode } from './subsonic-response.js';

/**
 * A request's arguments, from the query string and a POST form alike (OpenSubsonic `formPost`);
 * repeated names (`id=1&id=2`) keep every value. Unknown arguments are simply never asked for.
 */
export class SubsonicParams {
  constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  static from(...sources: unknown[]): SubsonicParams {
    const values = new Map<string, string[]>();
    for (const source of sources) {
      if (!source || typeof source !== 'object') continue;
      for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
        const list = (Array.isArray(value) ? value : [value]).filter(
          (v): v is string => typeof v === 'string',
        );
        values.set(key, [...(values.get(key) ?? []), ...list]);
      }
    }
    return new SubsonicParams(values);
  }

  string(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') {
      throw new SubsonicError(SubsonicErrorCode.MissingParameter, `Required parameter is missing: ${name}`);
    }
    return value;
  }

  all(name: string): string[] {
    return [...(this.values.get(name) ?? [])].filter((value) => value !== '');
  }

  /** A whole number within bounds; missing → `fallback`, not a number → error 0 naming it. */
  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.string(name);
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d{1,15}$/.test(raw)) {
      throw new SubsonicError(SubsonicErrorCode.Generic, `${name} must be a whole number`);
    }
    return Math.min(max, Math.max(min, Number(raw)));
  }

  optionalInt(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return this.string(name) === undefined || this.string(name) === ''
      ? undefined
      : this.int(name, 0, min, max);
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    return raw === 'true' || raw === '1';
  }
}
