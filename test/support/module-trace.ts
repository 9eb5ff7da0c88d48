import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

/**
 * Preloaded with `node --import` into an app process under test: records every module the process
 * loads — ES modules through a load hook, CommonJS ones from `require.cache` — and writes the list
 * (file paths, one a line) to `MODULE_TRACE_FILE` when the process exits. Tests read it to prove a
 * role never loads what it does not run.
 */
const out = process.env.MODULE_TRACE_FILE;
if (out) {
  const loaded = new Set<string>();
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url: string) => loaded.add(url));
  port1.unref();
  register('./module-trace.hooks.js', import.meta.url, { data: { port: port2 }, transferList: [port2] });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const files = new Set(
      [...loaded].map((url) => (url.startsWith('file://') ? new URL(url).pathname : url)),
    );
    for (const file of Object.keys(cache)) files.add(file);
    writeFileSync(out, [...files].sort().join('\n') + '\n');
  });
}
