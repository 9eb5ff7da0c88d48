// Streaming throughput and seek latency, each against a peer measured in the same run.
//   npm run bench -- stream
// 1. local store over HTTP vs nginx serving the same file from disk (wrk, 64 connections)  target ≥ 0.8×
// 2. Telegram engine (simulated: 100 ms + jitter per request, 1 MiB blocks) vs a naive sequential
//    reader (target ≥ 4×) and vs a 4-request batch-barrier reader like TG-FileStreamBot's (≥ 1.5×),
//    at the default window and at a window of 4
// 3. seek time-to-first-byte through the app on the simulated Telegram store (≤ 1 latency + 10 ms)
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { spawn } from 'node:child_process';
import { freePort, waitForPort } from '../scripts/lib/net.mjs';
import { planBlocks } from '../src/core/storage/telegram/block-planner.js';
import { type FileLocation } from '../src/core/storage/telegram/telegram-gateway.js';
import { StreamService } from '../src/stream/stream.service.js';
import { startTestDatabase } from '../test/support/database.js';
import { startInProcessApp } from '../test/support/in-process-app.js';
import { storeFile } from '../test/support/library-fixtures.js';
import { randomFile, tempDir } from '../test/support/media.js';
import { startNginx } from '../test/support/nginx.js';
import { TelegramSimulator } from '../test/support/telegram-simulator.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
/** Per-request latency of the simulated Telegram (BENCH_LATENCY_MS=0 shows the engine's own overhead). */
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const JITTER_MS = 60;
const BENCH_SECRET = 'bench-stream-secret-0123456789';

/** The simulator with jitter: real Telegram latencies vary, which is what batch barriers pay for. */
class JitteryTelegram extends TelegramSimulator {
  override async getFileBlock(session: string, location: FileLocation, offset: number, limit: number) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * JITTER_MS));
    return super.getFileBlock(session, location, offset, limit);
  }
}

async function wrk(url: string): Promise<number> {
  const { stdout } = await run('wrk', ['-t2', '-c64', '-d8s', url]);
  const transfer = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(stdout);
  if (!transfer) throw new Error(`cannot read wrk output:\n${stdout}`);
  const unit = { B: 1, KB: 1024, MB: MiB, GB: 1024 * MiB }[transfer[2]] ?? 1;
  return Number(transfer[1]) * unit;
}

async function nginxStatic(root: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const dir = tempDir('sv-bench-nginx-');
  chmodSync(dir, 0o777);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
     events { worker_connections 1024; }
     http { access_log off; sendfile on; tcp_nopush on;
       ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${dir}/${k};`).join(' ')}
       server { listen 127.0.0.1:${port}; root ${root}; } }`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'ignore',
  });
  await waitForPort('127.0.0.1', port);
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

const mbps = (bytesPerSecond: number) => `${(bytesPerSecond / MiB).toFixed(1)} MiB/s`;

async function localVsNginx(): Promise<void> {
  const db = await startTestDatabase();
  const server = await startInProcessApp({
    MONGODB_URI: db.uri,
    ROLE: 'streamer',
    STREAM_SECRET: BENCH_SECRET,
  });
  const front = await startNginx(new URL(server.url).host, BENCH_SECRET);
  const dir = tempDir('sv-bench-files-');
  chmodSync(dir, 0o755);
  const source = randomFile(4 * MiB, dir);
  const file = await storeFile(server.app, source.path, 'bench.bin');
  const nginx = await nginxStatic(dir);
  try {
    const link = server.app.get(StreamService).sign(file).url;
    const direct = await wrk(link.replace(server.config.http.publicUrl, server.url));
    const deployed = await wrk(link.replace(server.config.http.publicUrl, front.url));
    const peer = await wrk(`${nginx.url}/random-${4 * MiB}.bin`);
    console.log('\n1. local store, 4 MiB file, wrk -t2 -c64 -d8s');
    console.log(`   nginx serving the file directly          ${mbps(peer)}`);
    console.log(
      `   streamer behind nginx/streamvault.conf   ${mbps(deployed)}   ratio ${(deployed / peer).toFixed(2)}×  (target ≥ 0.8×)`,
    );
    console.log(
      `   streamer alone (Node, no sendfile)       ${mbps(direct)}   ratio ${(direct / peer).toFixed(2)}×`,
    );
  } finally {
    nginx.stop();
    await front.stop();
    await server.close();
    await db.stop();
  }
}

async function telegramEngine(telegram: TelegramSimulator, window?: string) {
  const db = await startTestDatabase();
  const server = await startInProcessApp(
    {
      MONGODB_URI: db.uri,
      ROLE: 'streamer',
      STORAGE: 'telegram',
      TELEGRAM_API_ID: '1',
      TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
      TELEGRAM_STORAGE_CHANNEL: '-1001234567890',
      TELEGRAM_SESSIONS: 'simulated',
      ...(window ? { STREAM_PREFETCH_BLOCKS: window } : {}),
    },
    { telegram },
  );
  return { db, server };
}

async function telegramThroughput(window?: string): Promise<void> {
  const SIZE = 48 * MiB;
  const telegram = new JitteryTelegram({ sessions: ['s1'], latencyMs: LATENCY_MS });
  const { db, server } = await telegramEngine(telegram, window);
  try {
    const file = await storeFile(server.app, randomFile(SIZE).path, 'bench.bin');
    const url = server.app
      .get(StreamService)
      .sign(file)
      .url.replace(server.config.http.publicUrl, server.url);
    const location = await telegram.getLocation('s1', {
      channelId: '-1001234567890',
      messageId: Number(file.storage.parts[0].ref.split(':')[2]),
    });
    const blocks = planBlocks([SIZE], 0, SIZE - 1);

    const t0 = performance.now();
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    const ours = body.byteLength / ((performance.now() - t0) / 1000);

    const t1 = performance.now();
    for (const block of blocks) await telegram.getFileBlock('s1', location, block.offset, block.limit);
    const naive = SIZE / ((performance.now() - t1) / 1000);

    const t2 = performance.now();
    for (let i = 0; i < blocks.length; i += 4) {
      await Promise.all(
        blocks.slice(i, i + 4).map((b) => telegram.getFileBlock('s1', location, b.offset, b.limit)),
      );
    }
    const batch = SIZE / ((performance.now() - t2) / 1000);

    console.log(
      `\n2. Telegram engine, ${SIZE / MiB} MiB, ${LATENCY_MS} ms + 0-${JITTER_MS} ms per 1 MiB request, one session`,
    );
    console.log(
      `   StreamVault (STREAM_PREFETCH_BLOCKS=${server.config.stream.prefetchBlocks}) ${mbps(ours)}`,
    );
    console.log(`   naive sequential  ${mbps(naive)}   ratio ${(ours / naive).toFixed(2)}×  (target ≥ 4×)`);
    console.log(`   4-request batches ${mbps(batch)}   ratio ${(ours / batch).toFixed(2)}×  (target ≥ 1.5×)`);
  } finally {
    await server.close();
    await db.stop();
  }
}

async function seekLatency(): Promise<void> {
  const SIZE = 64 * MiB;
  const telegram = new TelegramSimulator({ sessions: ['s1'], latencyMs: LATENCY_MS });
  const { db, server } = await telegramEngine(telegram);
  try {
    const file = await storeFile(server.app, randomFile(SIZE).path, 'seek.bin');
    const url = server.app
      .get(StreamService)
      .sign(file)
      .url.replace(server.config.http.publicUrl, server.url);
    await (await fetch(url, { headers: { range: 'bytes=0-0' } })).arrayBuffer(); // player opened the file
    const ttfb: number[] = [];
    for (let i = 0; i < 20; i++) ttfb.push(await curlTtfb(url, Math.floor(Math.random() * (SIZE - MiB))));
    ttfb.sort((a, b) => a - b);
    const floor = await localSeekFloor(db.uri);
    console.log(
      `\n3. seek time-to-first-byte, ${LATENCY_MS} ms per request (20 random seeks after opening the file)`,
    );
    console.log(
      `   median ${ttfb[10].toFixed(0)} ms, p95 ${ttfb[18].toFixed(0)} ms   budget ${LATENCY_MS + 10} ms (one request + 10 ms)`,
    );
    console.log(
      `   the same seeks on the local store (the HTTP round trip alone): median ${floor.toFixed(1)} ms`,
    );
  } finally {
    await server.close();
    await db.stop();
  }
}

/**
 * Time to first byte of a seek, measured by curl in its own process: a client sharing this process's
 * event loop with the server would be slowed by the very work it is timing.
 */
async function curlTtfb(url: string, start: number): Promise<number> {
  const { stdout } = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{time_starttransfer}',
    '-r',
    `${start}-${start + 65535}`,
    url,
  ]);
  return Number(stdout) * 1000;
}

/** Median TTFB of random seeks on the local store: what HTTP itself costs in this harness. */
async function localSeekFloor(mongoUri: string): Promise<number> {
  const server = await startInProcessApp({ MONGODB_URI: mongoUri, ROLE: 'streamer' });
  try {
    const file = await storeFile(server.app, randomFile(64 * MiB).path, 'floor.bin');
    const url = server.app
      .get(StreamService)
      .sign(file)
      .url.replace(server.config.http.publicUrl, server.url);
    const times: number[] = [];
    for (let i = 0; i < 20; i++) times.push(await curlTtfb(url, Math.floor(Math.random() * 60 * MiB)));
    return times.sort((a, b) => a - b)[10];
  } finally {
    await server.close();
  }
}

/** BENCH_ONLY=local|telegram|seek runs one section. */
async function main() {
  const only = process.env.BENCH_ONLY;
  if (!only || only === 'local') await localVsNginx();
  if (!only || only === 'telegram') {
    await telegramThroughput(); // the default window
    await telegramThroughput('4'); // the window at the peer's own depth
  }
  if (!only || only === 'seek') await seekLatency();
}

void main();
