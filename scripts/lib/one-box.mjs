import { spawn } from 'node:child_process';
import { waitForPort } from './net.mjs';
import { supervise } from './processes.mjs';

/** The app's own SHUTDOWN_TIMEOUT_MS (10 s by default) and a margin: past it, SIGKILL. */
const APP_GRACE_MS = 15000;

/**
 * What `npm run quickstart` runs: the app, and the databases started for it. The databases run in their
 * own process group (Ctrl+C reaches the app only) and are stopped after the app has exited, because the
 * app still writes to them while it shuts down (usage flush, stream slots, queue close).
 */
export class OneBox {
  #services = [];
  #app;
  #stopping;

  /** A database started for the app (see `ownProcessGroup` in processes.mjs). */
  add(service) {
    this.#services.push(service);
    return service;
  }

  get app() {
    return this.#app;
  }

  /**
   * Starts the app and waits until it listens on `port`. Rejects when it exits first or does not listen
   * within `bootTimeoutMs`; the caller then stops the box, the app included.
   */
  async startApp(command, args, { port, bootTimeoutMs, ...options }) {
    this.#app = supervise(spawn(command, args, options), 'streamvault');
    await waitForPort('127.0.0.1', port, bootTimeoutMs, this.#app.isAlive);
    return this.#app;
  }

  /** The app first (with `signal`, SIGKILL after a grace), then the databases, last started first. */
  stop(signal = 'SIGTERM') {
    this.#stopping ??= (async () => {
      await this.#app?.stop(APP_GRACE_MS, signal);
      for (const service of this.#services.toReversed()) await service.stop();
    })();
    return this.#stopping;
  }

  /** For process 'exit', which cannot wait: SIGTERM to whatever still runs, so nothing outlives us. */
  abandon() {
    for (const process of [this.#app, ...this.#services])
      if (process?.isAlive()) process.child.kill('SIGTERM');
  }
}
