import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FRONT_CACHE_SECONDS } from '../../src/readvault/pages/page-caching.js';
import { pageImage } from '../support/comics.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { HostClient } from '../support/host-client.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { ingestLink, startLinkServer } from '../support/link-server.js';
import { startNginx } from '../support/nginx.js';
import { makeZip } from '../support/zip.js';

const TENANT_HOST = 'pages.example.com';

describe('nginx in front of manga pages: the default site’s are kept for page turns, a tenant’s never', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  let pages: Buffer[];
  let pagePath: (n: number, query?: string) => string;

  before(async () => {
    db = await startTestDatabase();
    const links = await startLinkServer();
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: links.host,
      STREAM_SECRET: 'nginx-and-app-share-this-secret',
    });
    const admin = await signInAdmin(server);
    const created = await admin.post('/api/tenants', {
      slug: 'pages',
      name: 'Pages',
      domains: [TENANT_HOST],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    pages = [await pageImage(900, 1300, 30, 'jpeg'), await pageImage(900, 1300, 90, 'jpeg')];
    const cbz = makeZip(pages.map((content, n) => ({ name: `${n + 1}.jpg`, content })));
    try {
      const task = await ingestLink(admin, links.url('Front Cache c001.cbz', cbz));
      assert.equal(task.state, 'done', String(task.error));
      const series = await admin.get(`/api/readvault/series/${String(task.titleId)}`);
      const chapterId = (series.body.chapters as { id: string }[])[0].id;
      pagePath = (n, query = '') =>
        `/api/readvault/chapters/${encodeURIComponent(chapterId)}/pages/${n}${query}`;
    } finally {
      await links.close();
    }
    nginx = await startNginx(new URL(server.url).host, 'nginx-and-app-share-this-secret');
  });
  after(async () => {
    await nginx?.stop();
    await server?.close();
    await db?.stop();
  });

  it('tells the front cache how long it may keep a default-site page, and keeps it private on a tenant’s', async () => {
    const own = await new HostClient(server.url, '127.0.0.1').get(pagePath(1));
    assert.equal(own.status, 200);
    assert.equal(own.headers['x-accel-expires'], FRONT_CACHE_SECONDS);
    assert.match(String(own.headers['cache-control']), /^public,/);
    const tenant = await new HostClient(server.url, TENANT_HOST).get(pagePath(1));
    assert.equal(tenant.status, 200);
    assert.equal(tenant.headers['x-accel-expires'], undefined);
    assert.match(String(tenant.headers['cache-control']), /^private,/);
  });

  it('serves a default-site page from its cache after the first read, byte-exact, each answer with its own request id', async () => {
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const res = await new HostClient(nginx.url, '127.0.0.1').get(pagePath(2));
      assert.equal(res.status, 200);
      assert.ok(res.bytes.equals(pages[1]));
      assert.equal(res.headers['x-accel-expires'], undefined, 'nginx keeps its own instructions');
      assert.equal(
        res.headers['x-content-type-options'],
        'nosniff',
        'the app’s headers are kept with the page',
      );
      seen.push({ cache: res.headers['x-cache-status'], id: res.headers['x-request-id'] });
    }
    assert.deepEqual(
      seen.map((answer) => answer.cache),
      ['MISS', 'HIT', 'HIT'],
    );
    assert.equal(new Set(seen.map((answer) => answer.id)).size, 3);
  });

  it('keeps each width apart', async () => {
    const narrow = await new HostClient(nginx.url, '127.0.0.1').get(pagePath(1, '?width=480'));
    const again = await new HostClient(nginx.url, '127.0.0.1').get(pagePath(1, '?width=480'));
    const original = await new HostClient(nginx.url, '127.0.0.1').get(pagePath(1));
    assert.equal(narrow.headers['content-type'], 'image/webp');
    assert.equal(again.headers['x-cache-status'], 'HIT');
    assert.ok(again.bytes.equals(narrow.bytes));
    assert.ok(original.bytes.equals(pages[0]));
  });

  it('never keeps a tenant’s page: every read is judged by the app', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await new HostClient(nginx.url, TENANT_HOST).get(pagePath(2));
      assert.equal(res.status, 200);
      assert.ok(res.bytes.equals(pages[1]));
      assert.equal(res.headers['x-cache-status'], 'MISS');
    }
  });

  it('does not keep an error', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await new HostClient(nginx.url, '127.0.0.1').get(pagePath(9));
      assert.equal(res.status, 404);
      assert.notEqual(res.headers['x-cache-status'], 'HIT');
    }
  });
});
