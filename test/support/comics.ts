import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import sharp from 'sharp';
import { eventually } from './eventually.js';
import { type TestClient } from './http.js';

/** A page image: a colour field with a stripe, so every page has its own bytes. */
export async function pageImage(
  width: number,
  height: number,
  shade: number,
  format: 'jpeg' | 'png',
): Promise<Buffer> {
  const image = sharp({
    create: { width, height, channels: 3, background: { r: shade, g: 255 - shade, b: (shade * 7) % 256 } },
  }).composite([
    {
      input: {
        create: { width: Math.max(1, width >> 3), height, channels: 3, background: { r: 0, g: 0, b: 0 } },
      },
      left: (shade * 13) % Math.max(1, width - (width >> 3)),
      top: 0,
    },
  ]);
  return format === 'jpeg' ? image.jpeg({ quality: 80 }).toBuffer() : image.png().toBuffer();
}

/** ComicInfo.xml for a chapter (`Manga=YesAndRightToLeft` when `rightToLeft`). */
export function comicInfo(fields: {
  series: string;
  number: number;
  volume?: number;
  title?: string;
  genres?: string[];
  rightToLeft?: boolean;
}): Buffer {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return Buffer.from(`<?xml version="1.0" encoding="utf-8"?>
<ComicInfo>
  <Series>${escape(fields.series)}</Series>
  <Number>${fields.number}</Number>
  ${fields.volume === undefined ? '' : `<Volume>${fields.volume}</Volume>`}
  ${fields.title === undefined ? '' : `<Title>${escape(fields.title)}</Title>`}
  ${fields.genres ? `<Genre>${escape(fields.genres.join(', '))}</Genre>` : ''}
  ${fields.rightToLeft ? '<Manga>YesAndRightToLeft</Manga>' : ''}
</ComicInfo>`);
}

/** Serves archives on 127.0.0.1 for `/leech`-style ingest from a link (INGEST_ALLOW_HOSTS). */
export interface ArchiveServer {
  host: string;
  /** Serves `bytes` as `name` and returns its URL. */
  url(name: string, bytes: Buffer): string;
  close(): Promise<void>;
}

export async function startArchiveServer(): Promise<ArchiveServer> {
  const served = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url(name, bytes) {
      served.set(`/${encodeURIComponent(name)}`, bytes);
      return `http://${host}/${encodeURIComponent(name)}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Submits a link for ingest as `client` and waits for the task to end (done or failed). */
export async function ingestLink(client: TestClient, link: string): Promise<Record<string, unknown>> {
  const submitted = await client.post('/api/ingest', { url: link });
  assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
  return eventually(
    async () => (await client.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
    (task) => task.state === 'done' || task.state === 'failed',
    { timeoutMs: 90000, intervalMs: 200, what: `task for ${link}` },
  );
}
