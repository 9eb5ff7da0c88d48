// Streaming throughput and seek latency, each against a peer measured in the same run.
//   npm run bench -- stream
// 1. the streamer as its own process (ROLE=streamer, local store) vs nginx serving the same file, and
//    behind nginx/streamvault.conf: full-file MiB/s (≥ 0.6×) and random 1 MiB ranges req/s (≥ 0.5×), each
//    the median of 3 alternating rounds; seek TTFB p50 (≤ 1 ms; a bare Node server's printed beside it);
//    500 viewers paced at 256 KiB/s from a separate process (0 stalls > 2 s); the streamer's RSS with
//    200 viewers (< 150 MB)
// 2. Telegram engine (simulated: 100 ms + jitter per request, 1 MiB blocks): mean requests in flight,
//    efficiency (≥ 0.8), vs a naive sequential reader (≥ 4×) and a 4-request batch-barrier reader like
//    TG-FileStreamBot's (≥ 2×), median of 3 runs, at the default window and at a window of 4
// 3. seek time-to-first-byte through the app on the simulated Telegram store (≤ 1 latency + 10 ms)
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import {
  roundRatios,
  startBareNet,
  startBareNode,
  startStaticNginx,
  type WrkResult,
  wrkMedianLatencyMs,
  wrkRounds,
} from './support/peers.js';
import { percentile } from './support/timings.js';
import { BLOCK_SIZE, planBlocks } from '../src/core/storage/telegram/block-planner.js';
import { type FileLocation } from '../src/core/storage/telegram/telegram-gateway.js';
import { StreamService } from '../src/stream/stream.service.js';
import { startApp } from '../test/support/app-process.js';
import { MAIN_JS } from '../test/support/paths.js';
import { startTestDatabase } from '../test/support/database.js';
import { startInProcessApp } from '../test/support/in-process-app.js';
import { storeFile } from '../test/support/library-fixtures.js';
import { randomFile, tempDir } from '../test/support/media.js';
import { startNginx } from '../test/support/nginx.js';
import { uniqueRedisPrefix } from '../test/support/redis.js';
import { TelegramSimulator } from '../test/support/telegram-simulator.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
/** The local-store wrk phases: 64 connections, 4 s a run, ROUNDS runs of each target taken in turn. */
const WRK = { connections: 64, seconds: 4 };
const ROUNDS = 3;
/** Per-request latency of the simulated Telegram (BENCH_LATENCY_MS=0 shows the engine's own overhead). */
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const JITTER_MS = 60;
const BENCH_SECRET = 'bench-stream-secret-0123456789';

/**
 * The simulator with jitter (real Telegram latencies vary, which is what batch barriers pay for), and a
 * meter: requests in flight over time and each request's latency, so the bench can say how full the
 * engine kept its window.
 */
class JitteryTelegram extends TelegramSimulator {
  private meterFrom = 0;
  private lastChange = 0;
  private open = 0;
  private inFlightArea = 0;
  private latencies: number[] = [];

  override async getFileBlock(session: string, location: FileLocation, offset: number, limit: number) {
    const started = performance.now();
    this.change(+1);
    try {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * JITTER_MS));
      return await super.getFileBlock(session, location, offset, limit);
    } finally {
      this.change(-1);
      this.latencies.push(performance.now() - started);
    }
  }

  startMeter(): void {
    this.meterFrom = this.lastChange = performance.now();
    this.inFlightArea = 0;
    this.latencies = [];
  }

  /** Mean requests in flight and mean request latency (ms) since `startMeter`. */
  readMeter(): { meanInFlight: number; meanLatencyMs: number } {
    this.change(0);
    const elapsed = performance.now() - this.meterFrom;
    const meanLatencyMs = this.latencies.reduce((sum, ms) => sum + ms, 0) / this.latencies.length;
    return { meanInFlight: this.inFlightArea / elapsed, meanLatencyMs };
  }

  private change(delta: number): void {
    const now = performance.now();
    this.inFlightArea += this.open * (now - this.lastChange);
    this.lastChange = now;
    this.open += delta;
  }
}

/** A wrk script asking for random 1 MiB ranges of a file of `size` bytes (cold, uncached seeks). */
function rangeScript(size: number): string {
  const path = join(tempDir('sv-bench-wrk-'), 'ranges.lua');
  writeFileSync(
    path,
    `request = function()
       local start = math.random(0, ${size - MiB})
       return wrk.format(nil, nil, { Range = "bytes=" .. start .. "-" .. (start + ${MiB - 1}) })
     end`,
  );
  return path;
}

const SEEK_BYTES = 64 * 1024;

/**
 * A wrk script asking for random 64 KiB ranges, each on a new connection (`Connection: close`): a
 * player's seek, which abandons its connection mid-answer and opens another.
 */
function seekScript(size: number): string {
  const path = join(tempDir('sv-bench-wrk-'), 'seeks.lua');
  writeFileSync(
    path,
    `request = function()
       local start = math.random(0, ${size - SEEK_BYTES})
       return wrk.format(nil, nil, { Connection = "close", Range = "bytes=" .. start .. "-" .. (start + ${SEEK_BYTES - 1}) })
     end`,
  );
  return path;
}

const mbps = (bytesPerSecond: number) => `${(bytesPerSecond / MiB).toFixed(1)} MiB/s`;
const median = (values: number[]) => percentile(values, 50);

interface PacedResult {
  requests: number;
  errors: number;
  stalls: number;
  worstWaitMs: number;
  bytes: number;
}

/** Paced viewers from bench/paced-streams in a process of their own; `onTick` samples meanwhile. */
async function pacedStreams(
  url: string,
  size: number,
  streams: number,
  seconds: number,
  onTick: () => void = () => {},
): Promise<PacedResult> {
  const timer = setInterval(onTick, 250);
  try {
    const { stdout } = await run(process.execPath, [
      join(import.meta.dirname, 'paced-streams.js'),
      url,
      String(size),
      String(streams),
      String(PACE),
      String(seconds),
    ]);
    return JSON.parse(stdout) as PacedResult;
  } finally {
    clearInterval(timer);
  }
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

const LOCAL_SIZE = 12 * MiB;
/** The streamer service's NODE_OPTIONS in deploy/docker-compose.yml. */
const STREAMER_NODE_OPTIONS = '--max-semi-space-size=2';
/** The streamer service's glibc setting in deploy/docker-compose.yml. */
const STREAMER_MALLOC_MMAP_THRESHOLD = '69632';
/** 256 KiB/s: a 2 Mbit/s video, what each paced viewer reads. */
const PACE = 256 * 1024;

/**
 * The streamer as its own process (ROLE=streamer, the image's command) on the local store, against
 * nginx serving the same file from disk in the same run, and the streamer behind nginx/streamvault.conf.
 */
async function localVsNginx(): Promise<void> {
  const db = await startTestDatabase();
  const dataDir = tempDir('sv-bench-data-');
  const env = {
    MONGODB_URI: db.uri,
    DATA_DIR: dataDir,
    REDIS_PREFIX: uniqueRedisPrefix(),
    STREAM_SECRET: BENCH_SECRET,
  };
  const filesDir = tempDir('sv-bench-files-');
  chmodSync(filesDir, 0o755);
  const source = randomFile(LOCAL_SIZE, filesDir);
  // The file is stored and its link signed in this process, which then steps aside.
  const helper = await startInProcessApp({ ...env, ROLE: 'streamer' });
  const file = await storeFile(helper.app, source.path, 'bench.bin');
  const link = helper.app.get(StreamService).sign(file).url.replace(helper.config.http.publicUrl, '');
  await helper.close();

  // As the image and deploy/docker-compose.yml run it (UV_THREADPOOL_SIZE, the streamer's NODE_OPTIONS,
  // and no source maps: the tests' --enable-source-maps holds ~5 MB more).
  const streamer = await startApp(
    {
      ...env,
      ROLE: 'streamer',
      UV_THREADPOOL_SIZE: '16',
      NODE_OPTIONS: STREAMER_NODE_OPTIONS,
      MALLOC_MMAP_THRESHOLD_: STREAMER_MALLOC_MMAP_THRESHOLD,
    },
    MAIN_JS,
    [],
  );
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const bootRss = rssBytes(streamer.child.pid!);
  const front = await startNginx(new URL(streamer.url).host, BENCH_SECRET);
  const nginx = await startStaticNginx(filesDir);
  const targets = {
    nginx: `${nginx.url}/${basename(source.path)}`,
    streamer: `${streamer.url}${link}`,
    behind: `${front.url}${link}`,
  };
  try {
    const ranges = rangeScript(LOCAL_SIZE);
    const full = await wrkRounds(targets, WRK, ROUNDS);
    const range = await wrkRounds(targets, { ...WRK, script: ranges }, ROUNDS);
    const seeks = async (url: string) => {
      const times: number[] = [];
      for (let i = 0; i < 31; i++)
        times.push(await curlTtfb(url, Math.floor(Math.random() * (LOCAL_SIZE - MiB))));
      return median(times);
    };
    const bareNode = await startBareNode(64 * 1024);
    const bareNet = await startBareNet(64 * 1024);
    const ttfb = {
      nginx: await seeks(targets.nginx),
      streamer: await seeks(targets.streamer),
      bareNode: await seeks(bareNode.url).finally(() => bareNode.stop()),
      bareNet: await seeks(bareNet.url).finally(() => bareNet.stop()),
    };
    // The same seeks back to back, so every process is awake and warm: what a request itself costs.
    const awake = seekScript(LOCAL_SIZE);
    const bareNodeAwake = await startBareNode(SEEK_BYTES);
    const warm = {
      nginx: await wrkMedianLatencyMs(targets.nginx, awake),
      streamer: await wrkMedianLatencyMs(targets.streamer, awake),
      bareNode: await wrkMedianLatencyMs(bareNodeAwake.url, awake).finally(() => bareNodeAwake.stop()),
    };
    const paced = {
      nginx: await pacedStreams(targets.nginx, LOCAL_SIZE, 500, 20),
      streamer: await pacedStreams(targets.streamer, LOCAL_SIZE, 500, 20),
    };
    let peakRss = 0;
    const sample = () => (peakRss = Math.max(peakRss, rssBytes(streamer.child.pid!)));
    const idleRss = rssBytes(streamer.child.pid!);
    const held = await pacedStreams(targets.streamer, LOCAL_SIZE, 200, 15, sample);

    console.log(
      `\n1. local store, ${LOCAL_SIZE / MiB} MiB file; the streamer is its own process (ROLE=streamer)`,
    );
    console.log(
      `   load: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (1/5/15 min) on ${cpus().length} CPUs`,
    );
    const rounds = `wrk -t2 -c${WRK.connections} -d${WRK.seconds}s, ${ROUNDS} rounds alternating; medians, per-round ratio range`;
    const phase = (
      results: typeof full,
      measure: 'bytesPerSecond' | 'requestsPerSecond',
      show: (value: number) => string,
      target: string,
    ) => {
      const middle = (list: WrkResult[]) => median(list.map((result) => result[measure]));
      console.log(`     nginx serving the file          ${show(middle(results.nginx))}`);
      for (const [name, label, goal] of [
        ['streamer', 'streamer alone               ', `  (target ${target})`],
        ['behind', 'streamer behind nginx (cache)', ''],
      ] as const) {
        const { median: ratio, min, max } = roundRatios(results[name], results.nginx, measure);
        console.log(
          `     ${label}   ${show(middle(results[name]))}   ${ratio.toFixed(2)}× (${min.toFixed(2)}–${max.toFixed(2)})${goal}`,
        );
      }
    };
    console.log(`   full file, ${rounds}`);
    phase(full, 'bytesPerSecond', mbps, '≥ 0.6×');
    console.log(`   random 1 MiB ranges, ${rounds}`);
    phase(range, 'requestsPerSecond', (rate) => `${rate.toFixed(0)} req/s`, '≥ 0.5×');
    console.log('   seek time to first byte, median of 31 (curl, 64 KiB ranges)');
    console.log(
      `     nginx ${ttfb.nginx.toFixed(2)} ms, streamer ${ttfb.streamer.toFixed(2)} ms (target ≤ 1 ms); Node's floor here (bare http server, 64 KiB from memory) ${ttfb.bareNode.toFixed(2)} ms`,
    );
    console.log(
      `     the runtime's own floor (Node net server, canned 206, no HTTP parsing) ${ttfb.bareNet.toFixed(2)} ms; streamer above it ${(ttfb.streamer - ttfb.bareNet).toFixed(2)} ms`,
    );
    console.log(
      '   seeks back to back, each on a new connection (wrk -t1 -c1, Connection: close, 64 KiB ranges), median time to the whole answer',
    );
    console.log(
      `     nginx ${warm.nginx.toFixed(2)} ms, streamer ${warm.streamer.toFixed(2)} ms (${(warm.streamer / warm.nginx).toFixed(1)}× nginx), bare Node http server ${warm.bareNode.toFixed(2)} ms`,
    );
    console.log(`   500 viewers at ${PACE / 1024} KiB/s for 20 s (load generator in its own process)`);
    for (const [name, result] of Object.entries(paced)) {
      console.log(
        `     ${name.padEnd(9)} ${result.requests} requests, ${result.errors} errors, ${result.stalls} stalls > 2 s (target 0), worst wait ${result.worstWaitMs} ms, ${mbps(result.bytes / 20)}`,
      );
    }
    console.log(
      `   streamer RSS (NODE_OPTIONS=${STREAMER_NODE_OPTIONS}, MALLOC_MMAP_THRESHOLD_=${STREAMER_MALLOC_MMAP_THRESHOLD}): ${(bootRss / MiB).toFixed(0)} MiB after boot, ${(idleRss / MiB).toFixed(0)} MiB idle after the phases above, ${(peakRss / MiB).toFixed(0)} MiB peak with 200 viewers (target < 150 MB; MiB as ps and top count them, VmRSS ÷ 1024); ${held.errors} errors, ${held.stalls} stalls`,
    );
  } finally {
    await nginx.stop();
    await front.stop();
    await streamer.stop();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
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

const RUNS = 3;

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
    const depth = server.config.stream.prefetchBlocks;

    const runs: { ours: number; batch: number; inFlight: number; efficiency: number }[] = [];
    for (let round = 0; round < RUNS; round++) {
      telegram.startMeter();
      // curl in its own process: a client in this one would take the event loop the engine runs on.
      const { stdout } = await run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{size_download} %{time_total}',
        url,
      ]);
      const [bytes, seconds] = stdout.split(' ').map(Number);
      const ours = bytes / seconds;
      const meter = telegram.readMeter();
      // What `depth` requests always in flight would move at the latency these requests saw.
      const ideal = (depth * BLOCK_SIZE) / (meter.meanLatencyMs / 1000);

      const t2 = performance.now();
      for (let i = 0; i < blocks.length; i += 4) {
        await Promise.all(
          blocks.slice(i, i + 4).map((b) => telegram.getFileBlock('s1', location, b.offset, b.limit)),
        );
      }
      const batch = SIZE / ((performance.now() - t2) / 1000);
      runs.push({ ours, batch, inFlight: meter.meanInFlight, efficiency: ours / ideal });
    }

    const t1 = performance.now();
    for (const block of blocks) await telegram.getFileBlock('s1', location, block.offset, block.limit);
    const naive = SIZE / ((performance.now() - t1) / 1000);

    const ours = median(runs.map((r) => r.ours));
    console.log(
      `\n2. Telegram engine, ${SIZE / MiB} MiB, ${LATENCY_MS} ms + 0-${JITTER_MS} ms per 1 MiB request, one session, median of ${RUNS} runs`,
    );
    console.log(
      `   load: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (1/5/15 min) on ${cpus().length} CPUs`,
    );
    console.log(
      `   StreamVault (STREAM_PREFETCH_BLOCKS=${depth}) ${mbps(ours)}, mean ${median(runs.map((r) => r.inFlight)).toFixed(2)} requests in flight, efficiency ${median(runs.map((r) => r.efficiency)).toFixed(2)} (achieved ÷ window × block ÷ mean latency; target ≥ 0.8)`,
    );
    console.log(`   naive sequential  ${mbps(naive)}   ratio ${(ours / naive).toFixed(2)}×  (target ≥ 4×)`);
    console.log(
      `   4-request batches ${mbps(median(runs.map((r) => r.batch)))}   ratio ${median(runs.map((r) => r.ours / r.batch)).toFixed(2)}×  (target ≥ 2×)`,
    );
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
