import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { startInProcessApp } from './in-process-app.js';

/**
 * A satellite mirror on 127.0.0.1: a static copy of satellite.json at a URL (as a raw file in a public
 * repo would be), readable cross-origin. The test puts whatever copy it wants in `state.body`.
 */
export async function startSatelliteMirror() {
  const state = { body: '{}' };
  const server: Server = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
      .end(state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/satellite.json`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SatelliteMirror = Awaited<ReturnType<typeof startSatelliteMirror>>;

/**
 * One install seen from two origins (two managers on one database with one satellite key) and the
 * mirror its PWA falls back on: what a fail-over needs. The caller closes each (the first may go early).
 */
export async function startSatelliteInstall(
  databaseUri: string,
  seed = randomBytes(32).toString('base64url'),
) {
  const mirror = await startSatelliteMirror();
  const env = {
    MONGODB_URI: databaseUri,
    ROLE: 'manager',
    SATELLITE_PRIVATE_KEY: seed,
    SATELLITE_MIRRORS: mirror.url,
  };
  const first = await startInProcessApp(env);
  const second = await startInProcessApp(env);
  return { mirror, first, second, seed };
}
