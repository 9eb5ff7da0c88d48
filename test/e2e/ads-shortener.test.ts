import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mongoose from 'mongoose';
import { adSettings } from '../support/ads.js';
import { type RunningApp, signInFirstAdmin, startApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { tempDir } from '../support/media.js';

type Mode = 'json' | 'html' | 'error' | 'slow';

/** A self-signed certificate for 127.0.0.1; the app trusts it through NODE_EXTRA_CA_CERTS. */
function loopbackCertificate() {
  const dir = tempDir('sv-ads-tls-');
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert), certPath: cert };
}

/** A GPlinks-style shortener API over https on loopback, whose answer the test switches. */
async function startShortener(tls: { key: Buffer; cert: Buffer }) {
  const calls: URLSearchParams[] = [];
  let mode: Mode = 'json';
  const server: Server = createServer(tls, (req, res) => {
    const query = new URL(req.url ?? '/', 'https://127.0.0.1').searchParams;
    calls.push(query);
    if (mode === 'slow') return; // never answers; the app gives up after 2 s
    if (mode === 'html') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<html><body>Shortener maintenance</body></html>');
      return;
    }
    if (mode === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"error"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'success', shortenedUrl: `https://short.example.com/s${calls.length}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    setMode: (next: Mode) => (mode = next),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('download link shortener', () => {
  const password = 'admin-password-for-shortener-tests';
  let db: TestDatabase;
  let app: RunningApp;
  let shortener: Awaited<ReturnType<typeof startShortener>>;
  let connection: mongoose.Connection;
  let admin: TestClient;
  let visitor: TestClient;

  /** A file record as ingest leaves one (the shortener never reads its bytes). */
  const addFile = async (fileName: string) => {
    const _id = new mongoose.Types.ObjectId();
    await connection.collection('media_files').insertOne({
      _id,
      storage: { kind: 'local', parts: [{ ref: `media/${fileName}`, size: 1000 }] },
      size: 1000,
      mime: 'video/mp4',
      fileName,
      streams: { video: [], audio: [], subtitles: [] },
      screenshots: [],
      episodes: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    return String(_id);
  };

  /** Where signed links point: PUBLIC_URL's default, since the port is only known once the app runs. */
  const publicOrigin = () => `http://localhost:${app.port}`;

  const download = async (client: TestClient, fileId: string) => {
    const res = await client.get(`/ads/download/${fileId}`);
    assert.equal(res.status, 302);
    return res.headers.get('location') ?? '';
  };

  before(async () => {
    const tls = loopbackCertificate();
    shortener = await startShortener(tls);
    db = await startTestDatabase();
    connection = await mongoose.createConnection(db.uri).asPromise();
    app = await startApp({
      ROLE: 'all',
      MONGODB_URI: db.uri,
      ADMIN_PASSWORD: password,
      NODE_EXTRA_CA_CERTS: tls.certPath,
      // The shortener's calls pass the SSRF guard: this loopback one is let through by name.
      INGEST_ALLOW_HOSTS: new URL(shortener.url).host,
    });
    admin = await signInFirstAdmin(app.url, password);
    const saved = await admin.request('PUT', '/api/ads/settings', {
      json: adSettings({
        shortener: {
          enabled: true,
          urlTemplate: `${shortener.url}/api?api={key}&url={url}`,
          apiKey: 'key&1',
        },
      }),
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    visitor = new TestClient(app.url);
    await visitor.get('/');
  });
  after(async () => {
    await app?.stop();
    await connection?.close();
    await shortener?.close();
    await db?.stop();
  });

  it('sends a viewer through the short link, asks the API once per target and keeps the answer', async () => {
    const fileId = await addFile('Movie.2021.mp4');
    const before = shortener.calls.length;
    const location = await download(visitor, fileId);
    assert.match(location, /^https:\/\/short\.example\.com\/s\d+$/);
    const call = shortener.calls.at(-1)!;
    assert.equal(call.get('api'), 'key&1');
    const target = new URL(call.get('url') ?? '');
    assert.equal(target.origin, publicOrigin());
    assert.equal(target.pathname, `/stream/${fileId}/Movie.2021.mp4`);
    assert.ok(
      target.searchParams.get('md5') && target.searchParams.get('expires'),
      'the target is the signed link',
    );
    assert.equal(await download(visitor, fileId), location, 'the same short link again');
    assert.equal(shortener.calls.length, before + 1, 'from the cache');
  });

  it('admins download directly', async () => {
    const fileId = await addFile('Admin.Copy.mp4');
    const before = shortener.calls.length;
    assert.match(
      await download(admin, fileId),
      new RegExp(`^${publicOrigin()}/stream/${fileId}/Admin\\.Copy\\.mp4\\?md5=`),
    );
    assert.equal(shortener.calls.length, before);
  });

  it('never connects to a shortener on an address that is not public (a template aimed inside)', async () => {
    let connections = 0;
    const inside = createNetServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => inside.listen(0, '127.0.0.1', resolve));
    const port = (inside.address() as AddressInfo).port;
    const aimedInside = adSettings({
      shortener: { enabled: true, urlTemplate: `https://127.0.0.1:${port}/admin?u={url}` },
    });
    try {
      assert.equal((await admin.request('PUT', '/api/ads/settings', { json: aimedInside })).status, 200);
      const fileId = await addFile('Inside.Job.mp4');
      assert.match(
        await download(visitor, fileId),
        new RegExp(`^${publicOrigin()}/stream/${fileId}/Inside\\.Job\\.mp4\\?md5=`),
        'the signed link, as when the shortener fails',
      );
      assert.equal(connections, 0, 'not one connection to the inside address');
    } finally {
      inside.close();
      const restored = adSettings({
        shortener: {
          enabled: true,
          urlTemplate: `${shortener.url}/api?api={key}&url={url}`,
          apiKey: 'key&1',
        },
      });
      assert.equal((await admin.request('PUT', '/api/ads/settings', { json: restored })).status, 200);
    }
  });

  for (const mode of ['html', 'error', 'slow'] as const) {
    it(`falls back to the signed link when the shortener answers ${mode === 'slow' ? 'nothing (2 s timeout)' : mode}`, async () => {
      shortener.setMode(mode);
      try {
        const fileId = await addFile(`Fallback.${mode}.mp4`);
        const before = shortener.calls.length;
        const location = await download(visitor, fileId);
        assert.equal(shortener.calls.length, before + 1, 'the shortener was asked');
        assert.match(
          location,
          new RegExp(`^${publicOrigin()}/stream/${fileId}/Fallback\\.${mode}\\.mp4\\?md5=`),
        );
      } finally {
        shortener.setMode('json');
      }
    });
  }
});
