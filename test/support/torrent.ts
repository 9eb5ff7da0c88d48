import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { freePort } from '../../scripts/lib/net.mjs';

type Bencodable = number | string | Buffer | Bencodable[] | { [key: string]: Bencodable };

/** BitTorrent's bencoding (BEP 3), enough to write .torrent files and tracker answers. */
export function bencode(value: Bencodable): Buffer {
  if (typeof value === 'number') return Buffer.from(`i${Math.trunc(value)}e`);
  if (typeof value === 'string') return bencode(Buffer.from(value));
  if (Buffer.isBuffer(value)) return Buffer.concat([Buffer.from(`${value.length}:`), value]);
  if (Array.isArray(value)) return Buffer.concat([Buffer.from('l'), ...value.map(bencode), Buffer.from('e')]);
  const keys = Object.keys(value).sort();
  return Buffer.concat([
    Buffer.from('d'),
    ...keys.flatMap((key) => [bencode(key), bencode(value[key])]),
    Buffer.from('e'),
  ]);
}

/** A single-file torrent of `content` named `name`, announcing to `announce`. */
export function makeTorrent(name: string, content: Buffer, announce: string) {
  const pieceLength = 64 * 1024;
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < content.length; offset += pieceLength) {
    pieces.push(
      createHash('sha1')
        .update(content.subarray(offset, offset + pieceLength))
        .digest(),
    );
  }
  const info = { name, length: content.length, 'piece length': pieceLength, pieces: Buffer.concat(pieces) };
  const infoHash = createHash('sha1').update(bencode(info)).digest('hex');
  return { torrent: bencode({ announce, info }), infoHash };
}

/**
 * A one-swarm HTTP tracker on 127.0.0.1 that hands every announcer the one seeder it was told about,
 * so peers find each other with DHT and local discovery off. Records announces.
 */
export async function startTracker(seederPort: number) {
  const announces: string[] = [];
  const server: Server = createServer((req, res) => {
    announces.push(req.url ?? '');
    const peer = Buffer.from([127, 0, 0, 1, seederPort >> 8, seederPort & 0xff]);
    res.end(bencode({ interval: 5, 'min interval': 1, peers: peer }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    announce: `http://127.0.0.1:${port}/announce`,
    announces,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** aria2c seeding `torrentPath` from `dir` (which holds the complete file) on `port`, until stopped. */
export function startSeeder(torrentPath: string, dir: string, port: number): { stop: () => Promise<void> } {
  const child: ResultPromise = execa(
    'aria2c',
    [
      '--no-conf',
      `--dir=${dir}`,
      `--listen-port=${port}`,
      '--enable-dht=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      '--seed-ratio=0.0',
      '--bt-seed-unverified=true',
      '--check-integrity=false',
      '--quiet=true',
      torrentPath,
    ],
    { detached: true, reject: false, stdio: 'ignore' },
  );
  return {
    async stop() {
      child.kill('SIGKILL');
      await child;
    },
  };
}

export { freePort };

/** A multi-file torrent: `files` (paths inside the folder `name`) in order, pieces across file edges. */
export function makeMultiFileTorrent(
  name: string,
  files: { path: string; content: Buffer }[],
  announce: string,
) {
  const pieceLength = 64 * 1024;
  const all = Buffer.concat(files.map((file) => file.content));
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < all.length; offset += pieceLength) {
    pieces.push(
      createHash('sha1')
        .update(all.subarray(offset, offset + pieceLength))
        .digest(),
    );
  }
  const info = {
    name,
    'piece length': pieceLength,
    pieces: Buffer.concat(pieces),
    files: files.map((file) => ({ length: file.content.length, path: file.path.split('/') })),
  };
  const infoHash = createHash('sha1').update(bencode(info)).digest('hex');
  return { torrent: bencode({ announce, info }), infoHash };
}
