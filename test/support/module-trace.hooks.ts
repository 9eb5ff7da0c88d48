import { type MessagePort } from 'node:worker_threads';

// Module customization hooks (run on the loader thread): report each loaded URL to module-trace.ts.
let port: MessagePort | undefined;

export function initialize(data: { port: MessagePort }): void {
  port = data.port;
}

export async function load(
  url: string,
  context: unknown,
  nextLoad: (url: string, context: unknown) => Promise<unknown>,
): Promise<unknown> {
  port?.postMessage(url);
  return nextLoad(url, context);
}
