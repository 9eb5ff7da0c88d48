import { execFile, spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from '../../scripts/lib/net.mjs';
import { supervise } from '../../scripts/lib/processes.mjs';
import { tempDir } from '../../test/support/media.js';
import { percentile } from './timings.js';

const MiB = 1024 * 1024;
const run = promisify(execFile);

/** nginx serving `root` as static files (sendfile): the peer our byte paths are measured against. */
export async function startStaticNginx(root: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = tempDir('sv-bench-nginx-');
  chmodSync(dir, 0o777);
  chmodSync(root, 0o755);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
     events { worker_connections 4096; }
     http { access_log off; sendfile on; tcp_nopush on;
       ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${dir}/${k};`).join(' ')}
       server { listen 127.0.0.1:${port}; root ${root}; } }`,
  );
  const nginx = supervise(
    spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' }),
    'nginx',
  );
  await waitForPort('127.0.0.1', port, 10000, nginx.isAlive);
  return { url: `http://127.0.0.1:${port}`, stop: async () => void (await nginx.stop()) };
}

/**
 * A bare Node `http` server in its own process answering every request with `bytes` bytes from memory
 * (206 when asked for a range): Node's own floor for a seek — no framework, no read — so the streamer's
 * seek time can be told apart from what any Node server pays on this machine.
 */
export async function startBareNode(bytes: number): Promise<{ url: string; stop: () => Promise<void> }> {
  return startNodePeer(
    'bare node',
    (port) => `const body = Buffer.alloc(${bytes}, 7);
    require('node:http').createServer((req, res) => {
      res.statusCode = req.headers.range ? 206 : 200;
      res.setHeader('content-type', 'application/octet-stream');
      res.end(body);
    }).listen(${port}, '127.0.0.1');`,
  );
}

/**
 * Below even that: a Node `net` server answering the first bytes of any connection with a canned 206
 * (no HTTP parsing, no `http` module): what the runtime's event loop alone costs a new connection here.
 */
export async function startBareNet(bytes: number): Promise<{ url: string; stop: () => Promise<void> }> {
  return startNodePeer(
    'bare net',
    (port) => `const body = Buffer.alloc(${bytes}, 7);
    const head = Buffer.from('HTTP/1.1 206 Partial Content\\r\\ncontent-length: ${bytes}\\r\\nconnection: close\\r\\n\\r\\n');
    require('node:net').createServer((socket) => socket.once('data', () => {
      socket.cork(); socket.write(head); socket.end(body); socket.uncork();
    })).listen(${port}, '127.0.0.1');`,
  );
}

async function startNodePeer(name: string, source: (port: number) => string) {
  const port = await freePort();
  const node = supervise(spawn(process.execPath, ['-e', source(port)], { stdio: 'ignore' }), name);
  await waitForPort('127.0.0.1', port, 10000, node.isAlive);
  return { url: `http://127.0.0.1:${port}/`, stop: async () => void (await node.stop()) };
}

export interface WrkResult {
  bytesPerSecond: number;
  requestsPerSecond: number;
}

/**
 * wrk (another process, so the client never shares the event loop of an app under test) with 2
 * threads; `script` is a Lua file shaping each request. Non-2xx answers make the run fail.
 */
export async function wrk(
  url: string,
  { connections, seconds, script }: { connections: number; seconds: number; script?: string },
): Promise<WrkResult> {
  const { stdout } = await run('wrk', [
    '-t2',
    `-c${connections}`,
    `-d${seconds}s`,
    ...(script ? ['-s', script] : []),
    url,
  ]);
  const transfer = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(stdout);
  const requests = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (!transfer || !requests || /Non-2xx/.test(stdout)) throw new Error(`wrk: ${stdout}`);
  const unit = { B: 1, KB: 1024, MB: MiB, GB: 1024 * MiB }[transfer[2]] ?? 1;
  return { bytesPerSecond: Number(transfer[1]) * unit, requestsPerSecond: Number(requests[1]) };
}

/**
 * wrk against each target in turn, `rounds` times over (peer, ours, peer, ours …). A shared 2-CPU VM
 * drifts by ±20 % within a minute; both sides of one round drift alike, so the median of the
 * per-round ratios (`roundRatios`) is steadier than one long run of each.
 */
export async function wrkRounds<K extends string>(
  targets: Record<K, string>,
  options: { connections: number; seconds: number; script?: string },
  rounds: number,
): Promise<Record<K, WrkResult[]>> {
  const names = Object.keys(targets) as K[];
  const results = Object.fromEntries(names.map((name) => [name, [] as WrkResult[]])) as Record<
    K,
    WrkResult[]
  >;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) results[name].push(await wrk(targets[name], options));
  }
  return results;
}

/**
 * The median time wrk (one thread, one connection) takes to get a whole answer from `url`, each request
 * shaped by `script` (which may ask for a new connection each time): a request's own cost on a server
 * that is awake, without curl's start-up or an idle machine's wake-up in it.
 */
export async function wrkMedianLatencyMs(url: string, script: string, seconds = 4): Promise<number> {
  const { stdout } = await run('wrk', ['-t1', '-c1', `-d${seconds}s`, '--latency', '-s', script, url]);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s)\s*$/m.exec(stdout);
  if (!p50 || /Non-2xx/.test(stdout)) throw new Error(`wrk: ${stdout}`);
  return Number(p50[1]) * { us: 0.001, ms: 1, s: 1000 }[p50[2] as 'us' | 'ms' | 's'];
}

/** `ours ÷ peer` of each round for one measure, and their median and range. */
export function roundRatios(ours: WrkResult[], peer: WrkResult[], measure: keyof WrkResult) {
  const ratios = ours.map((result, round) => result[measure] / peer[round][measure]);
  return { median: percentile(ratios, 50), min: Math.min(...ratios), max: Math.max(...ratios) };
}
