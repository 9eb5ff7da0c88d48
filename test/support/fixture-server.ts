import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface FixtureServerOptions {
  body: Buffer;
  /** Send only the first N bytes of the first full response, then cut the connection. */
  dropFirstResponseAfter?: number;
  honourRange?: boolean;
  headers?: Record<string, string>;
  /** Omit Content-Length (chunked transfer). */
  chunked?: boolean;
  /** Bytes per second (0 = as fast as possible). */
  throttle?: number;
  /** HTML pages served at these paths (everything else serves `body`). */
  pages?: Record<string, string>;
}

/** A web page embedding `videoPath` in a `<video>`, titled `title`: what yt-dlp's generic extractor finds. */
export function videoPage(title: string, videoPath: string): string {
  return `<!doctype html><html><head><title>${title}</title></head><body><video src="${videoPath}" controls></video></body></html>`;
}

/** A web page embedding one `<video>` per path: yt-dlp's generic extractor lists it as a playlist titled `title`. */
export function playlistPage(title: string, videoPaths: string[]): string {
  const videos = videoPaths.map((path) => `<video src="${path}" controls></video>`).join('');
  return `<!doctype html><html><head><title>${title}</title></head><body>${videos}</body></html>`;
}

/** A local HTTP file server for download tests: ranges, cut connections, throttling. Records requests. */
export async function startFixtureServer(options: FixtureServerOptions) {
  const requests: { url: string; range?: string; ifRange?: string }[] = [];
  let dropped = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({
      url: req.url ?? '',
      range: req.headers.range,
      ifRange: req.headers['if-range'] as string | undefined,
    });
    if (req.url === '/missing') {
      res.writeHead(404).end('not here');
      return;
    }
    const page = options.pages?.[req.url ?? ''];
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    const size = options.body.length;
    let start = 0;
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const headers: Record<string, string> = {
      'content-type': 'video/mp4',
      etag: '"fixture-v1"',
      ...options.headers,
    };
    if (match && options.honourRange !== false) {
      start = Number(match[1]);
      headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
      res.statusCode = 206;
    }
    if (!options.chunked) headers['content-length'] = String(size - start);
    res.writeHead(res.statusCode, headers);
    const slice = options.body.subarray(start);
    if (options.dropFirstResponseAfter !== undefined && !dropped && start === 0) {
      dropped = true;
      // FIN, not RST: the client keeps every byte sent before the cut, as after a real dropped link.
      res.write(slice.subarray(0, options.dropFirstResponseAfter), () =>
        setTimeout(() => res.socket?.end(), 20),
      );
      return;
    }
    if (!options.throttle) {
      res.end(slice);
      return;
    }
    let offset = 0;
    const step = Math.max(1, Math.floor(options.throttle / 20));
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(slice.subarray(offset, offset + step));
      offset += step;
      if (offset >= slice.length) {
        clearInterval(timer);
        res.end();
      }
    }, 50);
    res.once('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path = '/file.mp4') => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
  };
}
