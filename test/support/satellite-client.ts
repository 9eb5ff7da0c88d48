import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './paths.js';

type Verdict =
  { ok: true; payload: Record<string, unknown> } | { ok: false; reason?: string; reasons?: string[] };

/** The PWA's satellite module (views/assets/site/satellite.mjs), loaded as the browser loads it. */
export interface SatelliteClient {
  FAILURES_BEFORE_FAILOVER: number;
  verifySatelliteDocument(
    doc: unknown,
    publicKey: string,
    options?: { now?: number; minVersion?: number },
  ): Promise<Verdict>;
  fetchVerifiedDocument(
    mirrors: string[],
    publicKey: string,
    options?: { minVersion?: number },
  ): Promise<Verdict>;
  firstHealthyOrigin(origins: string[], options?: { exclude?: string }): Promise<string | undefined>;
  createSatelliteWatch(options: {
    state: { publicKey: string; mirrors: string[]; version?: number };
    origin: string;
    onStatus?: (status: string, detail?: unknown) => void;
    move: (target: string) => void;
    save: (state: { publicKey: string; mirrors: string[]; version?: number }) => void;
  }): { check(): Promise<void> };
}

export async function loadSatelliteClient(): Promise<SatelliteClient> {
  const url = pathToFileURL(join(PROJECT_ROOT, 'views', 'assets', 'site', 'satellite.mjs')).href;
  return (await import(url)) as SatelliteClient;
}
