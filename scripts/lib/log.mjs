/** Progress lines for the set-up scripts: short, prefixed, on stderr so stdout stays for results. */
export function step(message) {
  process.stderr.write(`[streamvault] ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`[streamvault] error: ${message}\n`);
  process.exit(1);
}
