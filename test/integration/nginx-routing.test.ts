import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/eventually.js';
import { startNginx } from '../support/nginx.js';

type Role = 'manager' | 'streamer';

/** An upstream that answers every request with its role, the path and the query it was sent. */
async function upstream(role: Role): Promise<{ server: Server; host: string }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ role, url: req.url, method: req.method }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, host: `127.0.0.1:${address.port}` };
}

describe('nginx routes each path to its role', () => {
  let manager: Awaited<ReturnType<typeof upstream>>;
  let streamer: Awaited<ReturnType<typeof upstream>>;
  let nginx: Awaited<ReturnType<typeof startNginx>>;

  before(async () => {
    manager = await upstream('manager');
    streamer = await upstream('streamer');
    nginx = await startNginx(manager.host, 'routing-test-secret', streamer.host);
  });
  after(async () => {
    await nginx?.stop();
    for (const { server } of [manager, streamer].filter(Boolean)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  async function servedBy(path: string, init?: RequestInit): Promise<{ role: Role; url: string }> {
    const res = await fetch(`${nginx.url}${path}`, init);
    assert.equal(res.status, 200, path);
    return (await res.json()) as { role: Role; url: string };
  }

  it("sends Subsonic's byte calls to the streamers, with and without .view, query intact", async () => {
    for (const method of ['stream', 'download', 'getCoverArt']) {
      for (const suffix of ['', '.view']) {
        const path = `/rest/${method}${suffix}?u=ann&t=abc&s=xyz&id=tr-1&format=opus`;
        const answer = await servedBy(path);
        assert.equal(answer.role, 'streamer', path);
        assert.equal(answer.url, path);
      }
    }
  });

  it("logs requests without Subsonic's credentials, a sign-in link's token or a party ticket", async () => {
    await servedBy('/rest/stream.view?u=ann&t=26719a1196d2a940&s=c19b2d&id=tr-1');
    await servedBy('/rest/ping.view?u=ann&p=typed-password&apiKey=key-of-ann');
    await servedBy('/auth/magic/magic-token-of-ann?next=%2F');
    await servedBy('/party/other?ticket=ticket-of-ann&x=1');
    const log = await eventually(
      async () => nginx.accessLog(),
      (text) => text.includes('/party/other'),
      { what: 'the access log lines' },
    );
    for (const secret of [
      '26719a11',
      'c19b2d',
      'typed-password',
      'key-of-ann',
      'magic-token-of-ann',
      'ticket-of-ann',
    ]) {
      assert.ok(!log.includes(secret), `${secret} in ${log}`);
    }
    assert.match(
      log,
      /"GET \/rest\/stream\.view\?u=ann&t=\[redacted\]&s=\[redacted\]&id=tr-1 HTTP\/1\.1" 200 /,
    );
    assert.match(log, /"GET \/rest\/ping\.view\?u=ann&p=\[redacted\]&apiKey=\[redacted\] HTTP\/1\.1" 200 /);
    assert.match(log, /"GET \/auth\/magic\/\[redacted\]\?next=%2F HTTP\/1\.1" 200 /);
    assert.match(log, /"GET \/party\/other\?ticket=\[redacted\]&x=1 HTTP\/1\.1" 200 /);
  });

  it('sends every other Subsonic call to the managers, GET or POST form', async () => {
    for (const path of [
      '/rest/ping',
      '/rest/ping.view?f=json',
      '/rest/getAlbumList2.view?type=newest',
      '/rest/search3?query=',
      '/rest/getLyricsBySongId.view?id=tr-1',
      '/rest/streamInfo.view',
      '/rest/downloads',
      '/rest/stream/extra',
    ]) {
      assert.equal((await servedBy(path)).role, 'manager', path);
    }
    const form = await servedBy('/rest/stream.view', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'u=ann&t=abc&s=xyz&id=tr-1',
    });
    assert.equal(form.role, 'streamer', 'a POSTed stream is still a byte call');
    const posted = await servedBy('/rest/getAlbum.view', { method: 'POST', body: 'id=al-1' });
    assert.equal(posted.role, 'manager');
  });

  it('sends manga page bytes to the streamers and the rest of ReadVault to the managers', async () => {
    assert.equal((await servedBy('/api/readvault/chapters/abc:v1:c2/pages/3?width=720')).role, 'streamer');
    assert.equal((await servedBy('/api/readvault/chapters/abc:v1:c2')).role, 'manager');
    assert.equal((await servedBy('/api/readvault/chapters/abc:v1:c2/progress')).role, 'manager');
    assert.equal((await servedBy('/opds/v1.2/chapters/abc/pse/0')).role, 'manager');
    assert.equal((await servedBy('/read/abc:v1:c2')).role, 'manager');
  });

  it('sends other byte paths to the streamers and pages and APIs to the managers', async () => {
    for (const path of ['/subtitles/f1/0.vtt', '/media/artwork/x.webp', '/sign', '/watch/abc']) {
      assert.equal((await servedBy(path)).role, 'streamer', path);
    }
    for (const path of ['/', '/music', '/api/library/titles', '/healthz', '/opds/v1.2/catalog']) {
      assert.equal((await servedBy(path)).role, 'manager', path);
    }
  });
});
