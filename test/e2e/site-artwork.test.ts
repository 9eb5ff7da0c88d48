import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Types } from 'mongoose';
import sharp from 'sharp';
import { ExplorerService } from '../../src/admin/explorer/explorer.service.js';
import { MEDIA_STORE, type MediaStore } from '../../src/core/storage/media-store.js';
import { ArtworkCollector } from '../../src/library/artwork/artwork-collector.js';
import { ArtworkRepository } from '../../src/library/artwork/artwork.repository.js';
import { ArtworkSweeper } from '../../src/library/artwork/artwork-sweeper.js';
import { DeletionDrainer } from '../../src/library/upkeep/deletion-drainer.js';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { ArtworkRequests } from '../../src/library/artwork/artwork-requests.js';
import { artworkPath } from '../../src/library/artwork/artwork-sizes.js';
import { LibraryService } from '../../src/library/library.service.js';
import { type Title } from '../../src/library/schemas/title.schema.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { freePort } from '../support/free-port.js';

/** A catalogue image host on 127.0.0.1 that counts what it was asked for. */
async function startImageHost(images: Record<string, { type: string; body: Buffer }>) {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const image = images[req.url ?? ''];
    if (!image) {
      res.writeHead(404).end('no');
      return;
    }
    res.writeHead(200, { 'content-type': image.type, 'content-length': image.body.length }).end(image.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function picture(width: number, height: number, format: 'jpeg' | 'png'): Promise<Buffer> {
  const canvas = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } });
  return (format === 'jpeg' ? canvas.jpeg() : canvas.png()).toBuffer();
}

describe('artwork kept local', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let host: Awaited<ReturnType<typeof startImageHost>>;
  let library: LibraryService;

  before(async () => {
    db = await startTestDatabase();
    host = await startImageHost({
      '/poster.jpg': { type: 'image/jpeg', body: await picture(600, 900, 'jpeg') },
      '/backdrop.png': { type: 'image/png', body: await picture(1920, 1080, 'png') },
      '/page.html': { type: 'text/html', body: Buffer.from('<html>not an image</html>') },
      '/kept.jpg': { type: 'image/jpeg', body: await picture(400, 600, 'jpeg') },
      '/gone.jpg': { type: 'image/jpeg', body: await picture(300, 450, 'jpeg') },
      '/shared.jpg': { type: 'image/jpeg', body: await picture(320, 480, 'jpeg') },
      '/spare.jpg': { type: 'image/jpeg', body: await picture(340, 510, 'jpeg') },
    });
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: `127.0.0.1:${host.port}`,
    });
    library = server.app.get(LibraryService);
  });
  after(async () => {
    await server?.close();
    await host?.close();
    await db?.stop();
  });

  async function titleWith(
    name: string,
    fields: { poster?: string; backdrop?: string },
  ): Promise<Types.ObjectId> {
    const title = await library.upsertSkeleton({ kind: 'movie', name, year: 2001 });
    await library.enrich(title._id, fields);
    return title._id;
  }

  const reload = async (id: Types.ObjectId): Promise<Title> => (await library.findTitles([id]))[0];

  it('the worker fetches poster and backdrop once; streamers serve them resized as WebP with long caching', async () => {
    const id = await titleWith('Local Posters', {
      poster: host.url('/poster.jpg'),
      backdrop: host.url('/backdrop.png'),
    });
    await server.app.get(ArtworkRequests).request(id);
    const title = await eventually(
      () => reload(id),
      (found) => Boolean(found.artwork?.poster && found.artwork?.backdrop),
      { timeoutMs: 15000, what: 'artwork recorded on the title' },
    );
    for (const [size, width] of [
      ['w185', 185],
      ['w342', 342],
    ] as const) {
      const res = await server.request(artworkPath(title.artwork!.poster!, size));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/webp');
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(res.headers.get('set-cookie'), null, 'no guest cookie on a cacheable image');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      assert.deepEqual([meta.format, meta.width], ['webp', width]);
    }
    const backdrop = await server.request(artworkPath(title.artwork!.backdrop!, 'w1280'));
    assert.equal((await sharp(Buffer.from(await backdrop.arrayBuffer())).metadata()).width, 1280);
    // A small original is never enlarged.
    const big = await server.request(artworkPath(title.artwork!.poster!, 'w1280'));
    assert.equal((await sharp(Buffer.from(await big.arrayBuffer())).metadata()).width, 600);

    assert.equal(host.hits.filter((hit) => hit === '/poster.jpg').length, 1);
    await server.app.get(ArtworkCollector).collect(id);
    const other = await titleWith('Same Poster Elsewhere', { poster: host.url('/poster.jpg') });
    await server.app.get(ArtworkCollector).collect(other);
    assert.equal((await reload(other)).artwork?.poster, title.artwork!.poster, 'one artwork per source URL');
    assert.equal(host.hits.filter((hit) => hit === '/poster.jpg').length, 1, 'each source is fetched once');
  });

  it('refuses sources the SSRF guard refuses, and what is not an image', async () => {
    const closedPort = await freePort();
    const id = await titleWith('Refused Art', {
      poster: `http://127.0.0.1:${closedPort}/poster.jpg`,
      backdrop: host.url('/page.html'),
    });
    const outcome = await server.app.get(ArtworkCollector).collect(id);
    assert.match(String(outcome.poster), /loopback/);
    assert.match(String(outcome.backdrop), /not an image/);
    assert.equal((await reload(id)).artwork, undefined);
  });

  it('is never offered as an orphan by the explorer; a stored copy deleted anyway answers 404, not 500', async () => {
    const id = await titleWith('Kept Art', { poster: host.url('/kept.jpg') });
    await server.app.get(ArtworkCollector).collect(id);
    const artworkId = (await reload(id)).artwork!.poster!;
    const { part } = (await server.app.get(ArtworkRepository).findById(artworkId))!;
    const hoursAgo = new Date(Date.now() - 3 * 3600_000);
    utimesSync(join(server.config.dataDir, 'media', part.ref), hoursAgo, hoursAgo);
    const orphans = await server.app.get(ExplorerService).orphans();
    assert.ok(!orphans.some((object) => object.ref === part.ref), 'a kept poster is not an orphan');

    await server.app.get<MediaStore>(MEDIA_STORE).delete(part.ref);
    const res = await server.request(artworkPath(artworkId, 'w780'));
    assert.equal(res.status, 404);
    assert.deepEqual(Object.keys((await res.json()) as object).sort(), ['error', 'message']);
  });

  it('sweeps artwork no title uses any more (a day after it was last kept or taken up) into the deletion drain', async () => {
    const artwork = server.app.get(ArtworkRepository);
    const sweeper = server.app.get(ArtworkSweeper);
    const posterOf = async (name: string, source: string) => {
      const id = await titleWith(name, { poster: host.url(source) });
      await server.app.get(ArtworkCollector).collect(id);
      return { titleId: id, artworkId: (await reload(id)).artwork!.poster! };
    };
    /** As if kept two days ago. */
    const age = (id: string) =>
      server.app
        .get(MongoConnection)
        .connection.collection<{ _id: string }>('artwork')
        .updateOne({ _id: id }, { $set: { createdAt: new Date(Date.now() - 2 * 86_400_000) } });
    const served = async (id: string) => (await server.request(artworkPath(id, 'w185'))).status;

    const gone = await posterOf('Swept Away', '/gone.jpg');
    const { part } = (await artwork.findById(gone.artworkId))!;
    await library.deleteTitle(gone.titleId);
    await sweeper.sweep();
    assert.notEqual(await artwork.findById(gone.artworkId), null, 'kept within a day');
    await age(gone.artworkId);

    const shared = await posterOf('Shared Once', '/shared.jpg');
    await posterOf('Shared Twice', '/shared.jpg');
    await library.deleteTitle(shared.titleId);
    await age(shared.artworkId);

    // A copy a title is taking up right now (its record not yet written) is spared.
    const spare = await posterOf('Spare', '/spare.jpg');
    await library.deleteTitle(spare.titleId);
    await age(spare.artworkId);
    assert.equal(await artwork.takeUp(spare.artworkId), true);

    await sweeper.sweep();
    assert.equal(await artwork.findById(gone.artworkId), null);
    await server.app.get(DeletionDrainer).drain();
    assert.equal(await server.app.get<MediaStore>(MEDIA_STORE).exists(part), false, 'its bytes are removed');
    assert.equal(await served(gone.artworkId), 404);
    assert.equal(await served(shared.artworkId), 200, 'still used by another title');
    assert.equal(await served(spare.artworkId), 200);

    // A later title with the swept source keeps a copy again.
    const back = await posterOf('Comeback', '/gone.jpg');
    assert.equal(back.artworkId, gone.artworkId);
    assert.equal(await served(back.artworkId), 200);
    assert.equal(host.hits.filter((hit) => hit === '/gone.jpg').length, 2);
  });

  it('unknown ids and sizes outside the fixed list → 404 {error, message}', async () => {
    for (const path of [
      '/media/artwork/0123456789abcdef01234567/w342.webp',
      `/media/artwork/0123456789abcdef01234567/w999.webp`,
      '/media/artwork/not-an-id/w342.webp',
      '/media/artwork/0123456789abcdef01234567/w342.png',
    ]) {
      const res = await server.request(path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(Object.keys((await res.json()) as object).sort(), ['error', 'message']);
    }
  });
});
