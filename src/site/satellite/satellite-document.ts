import { sign } from 'node:crypto';
import { type SatelliteKey } from './satellite-key.js';

/** What the document says: where the site lives now. */
export interface SatellitePayload {
  version: number;
  issuedAt: string;
  expiresAt: string;
  origins: string[];
}

/**
 * `satellite.json`: the payload's exact JSON bytes (base64url) and an Ed25519 signature over those
 * bytes, so verifying never depends on how anyone re-serialises JSON.
 */
export interface SignedSatelliteDocument {
  payload: string;
  signature: string;
}

export function signSatelliteDocument(payload: SatellitePayload, key: SatelliteKey): SignedSatelliteDocument {
  const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
  return {
    payload: bytes.toString('base64url'),
    signature: sign(null, bytes, key.privateKey).toString('base64url'),
  };
}
