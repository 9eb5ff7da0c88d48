import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type SatelliteMirror, startSatelliteInstall } from '../support/satellite-mirror.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { postPanelForm } from '../support/panel-form.js';
import { loadSatelliteClient, type SatelliteClient } from '../support/satellite-client.js';

describe('satellite config', () => {
  const seed = randomBytes(32).toString('base64url');
  let db: TestDatabase;
  let first: InProcessApp;
  let second: InProcessApp;
  let mirror: SatelliteMirror;
  let client: SatelliteClient;

  before(async () => {
    db = await startTestDatabase();
    ({ mirror, first, second } = await startSatelliteInstall(db.uri, seed));
    client = await loadSatelliteClient();
  });
  after(async () => {
    await second?.close();
    await first?.close();
    await mirror?.close();
    await db?.stop();
  });

  it('serves the raw public key and a document signed over its exact payload bytes', async () => {
    const pub = await first.request('/satellite.pub');
    assert.equal(pub.status, 200);
    const publicKey = (await pub.text()).trim();
    assert.equal(Buffer.from(publicKey, 'base64url').length, 32);
    const res = await first.request('/satellite.json');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const doc = (await res.json()) as { payload: string; signature: string };
    assert.deepEqual(Object.keys(doc).sort(), ['payload', 'signature']);
    const verdict = await client.verifySatelliteDocument(doc, publicKey);
    assert.ok(verdict.ok);
    assert.equal(verdict.payload.version, 1);
    assert.deepEqual(verdict.payload.origins, [new URL(first.config.http.publicUrl).origin]);
    const payload = JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')) as Record<
      string,
      string
    >;
    assert.equal(
      Date.parse(payload.expiresAt) - Date.parse(payload.issuedAt),
      first.config.site.satellite.validDays * 86400_000,
    );
  });

  it('admins edit the origins (the version goes up) and download the signed file', async () => {
    const admin = await signInAdmin(first);
    const origins = [first.url, second.url];
    const saved = await admin.request('PUT', '/api/satellite', {
      json: { origins: [`${first.url}/`, second.url] },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual(saved.body.origins, origins);
    assert.equal(saved.body.version, 2);
    assert.deepEqual(saved.body.mirrors, [mirror.url]);
    const download = await admin.get('/api/satellite/download');
    assert.match(download.headers.get('content-disposition') ?? '', /attachment; filename="satellite.json"/);
    const verdict = await client.verifySatelliteDocument(download.body, String(saved.body.publicKey));
    assert.ok(verdict.ok);
    assert.deepEqual([verdict.payload.version, verdict.payload.origins], [2, origins]);
    // Every manager of the install serves the same list.
    const fromSecond = await client.verifySatelliteDocument(
      await (await second.request('/satellite.json')).json(),
      String(saved.body.publicKey),
    );
    assert.ok(fromSecond.ok && fromSecond.payload.version === 2);
  });

  it('the admin Settings page edits the origins and downloads the signed file', async () => {
    const admin = await signInAdmin(first);
    const page = await admin.get('/admin/settings');
    assert.match(String(page.body), /id="satellite-origins"/);
    const bad = await postPanelForm(first.url, admin, '/admin/settings', '/admin/settings/satellite', {
      origins: 'javascript:alert(1)',
    });
    assert.equal(bad.status, 303);
    assert.match(decodeURIComponent(bad.location ?? ''), /not saved/);
    // The message quotes the line cut at 80 characters, here through the middle of an emoji.
    const cut = await postPanelForm(first.url, admin, '/admin/settings', '/admin/settings/satellite', {
      origins: `${'a'.repeat(79)}😀`,
    });
    assert.equal(cut.status, 303);
    assert.match(decodeURIComponent(cut.location ?? ''), /not saved: "a{79}\uFFFD" is not an http/);
    const before = (await admin.get('/api/satellite')).body.version as number;
    const saved = await postPanelForm(first.url, admin, '/admin/settings', '/admin/settings/satellite', {
      origins: `${second.url}\r\nhttps://media.example.com\r\n`,
    });
    assert.equal(saved.status, 303);
    assert.match(decodeURIComponent(saved.location ?? ''), /saved \(version \d+\)/);
    const view = (await admin.get('/api/satellite')).body;
    assert.deepEqual(view.origins, [second.url, 'https://media.example.com']);
    assert.equal(view.version, before + 1);
    const download = await admin.get('/admin/settings/satellite/satellite.json');
    assert.match(download.headers.get('content-disposition') ?? '', /attachment/);
    const verdict = await client.verifySatelliteDocument(download.body, String(view.publicKey));
    assert.ok(verdict.ok && verdict.payload.version === before + 1);
  });

  it('only admins edit; bad origin lists → 400', async () => {
    const viewer = new TestClient(first.url);
    await viewer.get('/api/titles');
    assert.equal(
      (await viewer.request('PUT', '/api/satellite', { json: { origins: [first.url] } })).status,
      401,
    );
    const admin = await signInAdmin(first);
    for (const origins of [
      [],
      ['ftp://x.example'],
      ['not a url'],
      'https://a.example',
      Array(21).fill(first.url),
    ]) {
      const res = await admin.request('PUT', '/api/satellite', { json: { origins } });
      assert.equal(res.status, 400, JSON.stringify(origins));
      assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
    }
  });

  it('/healthz is readable from another origin (fail-over probes it)', async () => {
    const res = await second.request('/healthz');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('content-security-policy') ?? '', /connect-src 'self' http:/);
  });

  it('the PWA module fails over: first origin stopped → verified mirror document → second origin; a tampered copy is refused', async () => {
    const admin = await signInAdmin(second);
    const saved = await admin.request('PUT', '/api/satellite', {
      json: { origins: [first.url, second.url] },
    });
    const publicKey = String(saved.body.publicKey);
    const signed = (await admin.get('/api/satellite/download')).body as unknown as {
      payload: string;
      signature: string;
    };
    const firstUrl = first.url;
    await first.close();
    first = undefined as unknown as InProcessApp;

    const run = async (mirrorBody: string, minVersion = 0) => {
      mirror.state.body = mirrorBody;
      const statuses: string[] = [];
      const moves: string[] = [];
      let state: { publicKey: string; mirrors: string[]; version?: number } = {
        publicKey,
        mirrors: [mirror.url],
        version: minVersion,
      };
      const watch = client.createSatelliteWatch({
        state,
        origin: firstUrl,
        onStatus: (status) => statuses.push(status),
        move: (target) => moves.push(target),
        save: (next) => (state = next),
      });
      for (let i = 0; i < client.FAILURES_BEFORE_FAILOVER; i++) await watch.check();
      return { statuses, moves, state };
    };

    const tamperedPayload = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(signed.payload, 'base64url').toString()),
        origins: ['http://127.0.0.1:9'],
      }),
    ).toString('base64url');
    const tampered = await run(JSON.stringify({ ...signed, payload: tamperedPayload }));
    assert.deepEqual(tampered.moves, [], 'a tampered document moves nobody');
    assert.equal(tampered.statuses.at(-1), 'refused');

    const older = await run(JSON.stringify(signed), 99);
    assert.deepEqual([older.moves, older.statuses.at(-1)], [[], 'refused'], 'an older version is ignored');

    const good = await run(JSON.stringify(signed));
    assert.deepEqual(good.statuses, ['checking', 'checking', 'checking', 'moving']);
    assert.deepEqual(good.moves, [second.url]);
    assert.equal(good.state.version, saved.body.version, 'the accepted version is remembered');
  });
});
