import { randomBytes } from 'node:crypto';
import { startTestDatabase } from './database.js';
import { type InProcessApp, signInNewUser, startInProcessApp } from './in-process-app.js';
import { type LinkServer, startLinkServer } from './link-server.js';
import { subsonicToken } from './music.js';

/**
 * What the music suites run against: a one-box app (ROLE=all) on a fresh database, a link server it
 * may ingest from, and a viewer `listener` holding an app password, as a Subsonic app would.
 */
export interface MusicBox {
  server: InProcessApp;
  links: LinkServer;
  /** The URL of a Subsonic call made as the listener (token credentials, a fresh salt), `args` on top. */
  subsonicUrl(method: string, args?: Record<string, string>): string;
  stop(): Promise<void>;
}

/**
 * Starts a music box whose listener's app password is labelled `client` (the app it is for); `env`
 * adds settings (transcoding limits...).
 */
export async function startMusicBox(client: string, env: Record<string, string> = {}): Promise<MusicBox> {
  const db = await startTestDatabase();
  const links = await startLinkServer().catch(async (error: unknown) => {
    await db.stop();
    throw error;
  });
  let server: InProcessApp | undefined;
  const stop = async () => {
    await server?.close();
    await links.close();
    await db.stop();
  };
  try {
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: links.host,
      ...env,
    });
    const listener = await signInNewUser(server, 'listener', 'viewer');
    const password = String(
      (await listener.post('/api/auth/app-passwords', { label: client })).body.password,
    );
    const origin = server.url;
    return {
      server,
      links,
      subsonicUrl: (method, args = {}) => {
        const salt = randomBytes(4).toString('hex');
        const query = new URLSearchParams({
          v: '1.16.1',
          c: 'test',
          ...subsonicToken('listener', password, salt),
          ...args,
        });
        return `${origin}/rest/${method}?${query}`;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
