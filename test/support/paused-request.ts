import { request as httpRequest, type IncomingMessage } from 'node:http';

/** A GET whose response is left unread: the server stays mid-stream (backpressure) until destroyed. */
export function openPaused(baseUrl: string, host: string, path: string): Promise<IncomingMessage> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      res.pause();
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
}
