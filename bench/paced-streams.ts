// Load generator for bench/stream (its own process, so its work never slows the server it measures):
//   node .build/bench/paced-streams.js <url> <file size> <streams> <bytes per second> <seconds>
// Opens <streams> viewers over 2 s; each reads `Range: bytes=<random>-` at the given pace, and opens a
// new random offset when it reaches the end. Prints one JSON line: requests, errors, and stalls (a
// response whose headers took, or a body that stopped for, more than 2 s while the viewer wanted data).
import { type IncomingMessage, Agent, get } from 'node:http';

const STALL_MS = 2000;
const [url, sizeArg, streamsArg, rateArg, secondsArg] = process.argv.slice(2);
const size = Number(sizeArg);
const rate = Number(rateArg);
const deadline = Date.now() + Number(secondsArg) * 1000;
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
const totals = { requests: 0, errors: 0, stalls: 0, worstWaitMs: 0, bytes: 0 };

function viewer(): Promise<void> {
  return new Promise((resolve) => {
    const open = () => {
      if (Date.now() >= deadline) return resolve();
      const offset = Math.floor(Math.random() * (size - 1024 * 1024));
      const sent = Date.now();
      totals.requests++;
      const request = get(url, { agent, headers: { range: `bytes=${offset}-` } }, (res) =>
        read(res, sent, request.destroy.bind(request)),
      );
      request.on('error', () => {
        if (Date.now() >= deadline) return resolve();
        totals.errors++;
        setTimeout(open, 100);
      });
    };
    const read = (res: IncomingMessage, sent: number, abort: () => void) => {
      wait(Date.now() - sent);
      if (res.statusCode !== 206) totals.errors++;
      const started = Date.now();
      let received = 0;
      let lastData = Date.now();
      let wanting = true;
      const watchdog = setInterval(() => {
        if (wanting && Date.now() - lastData > STALL_MS) {
          wait(Date.now() - lastData);
          lastData = Date.now();
        }
        if (Date.now() >= deadline) {
          clearInterval(watchdog);
          abort();
          resolve();
        }
      }, 250);
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        totals.bytes += chunk.length;
        lastData = Date.now();
        // Ahead of the pace: stop reading until the viewer has watched that far.
        const ahead = received / rate - (Date.now() - started) / 1000;
        if (ahead > 0.05) {
          wanting = false;
          res.pause();
          setTimeout(() => {
            wanting = true;
            lastData = Date.now();
            res.resume();
          }, ahead * 1000);
        }
      });
      res.on('end', () => {
        clearInterval(watchdog);
        open();
      });
      res.on('error', () => {
        clearInterval(watchdog);
        if (Date.now() >= deadline) return resolve();
        totals.errors++;
        open();
      });
    };
    open();
  });
}

function wait(ms: number): void {
  if (ms > STALL_MS) totals.stalls++;
  totals.worstWaitMs = Math.max(totals.worstWaitMs, ms);
}

async function main(): Promise<void> {
  const streams = Number(streamsArg);
  const viewers: Promise<void>[] = [];
  for (let i = 0; i < streams; i++) {
    viewers.push(viewer());
    await new Promise((resolve) => setTimeout(resolve, 2000 / streams));
  }
  await Promise.all(viewers);
  agent.destroy();
  process.stdout.write(`${JSON.stringify(totals)}\n`);
  process.exit(0);
}

void main();
