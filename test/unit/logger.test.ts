import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/core/logging/create-logger.js';
import { redactSecrets } from '../../src/core/logging/redact-secrets.js';
import { logTapOf } from '../../src/core/logging/log-tap.js';
import { requestContext } from '../../src/core/logging/request-context.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('writes JSON lines carrying the role', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', role: 'worker', destination }).info('hello');
    const line = JSON.parse(lines[0]);
    assert.equal(line.role, 'worker');
    assert.equal(line.msg, 'hello');
  });

  it('adds the request id to every line logged inside a request, once', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', role: 'manager', destination });
    requestContext.run({ reqId: 'req-42' }, () => logger.child({ context: 'x' }).warn('inside'));
    logger.info('outside');
    assert.equal(JSON.parse(lines[0]).reqId, 'req-42');
    assert.equal(lines[0].match(/"reqId"/g)?.length, 1);
    assert.equal(JSON.parse(lines[1]).reqId, undefined);
  });

  it('prints "[role] message" when pretty', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', role: 'streamer', destination, pretty: true }).info('ready');
    assert.match(lines.join('\n'), /\[streamer\] ready/);
  });

  it('never writes an app password: not in a request URL, not in a message, not in pretty output', () => {
    const password = `svp_${'a1'.repeat(12)}${'Zq_-9'.repeat(8)}xyz`;
    for (const pretty of [false, true]) {
      const { lines, destination } = capture();
      const logger = createLogger({ level: 'info', role: 'manager', destination, pretty });
      logger.info({ req: { method: 'GET', url: `/stremio/${password}~movies/manifest.json` } }, 'done');
      logger.warn(`could not serve /rest/ping?u=ann&p=${password}&apiKey=${password}`);
      const text = lines.join('\n');
      assert.ok(!text.includes(password.slice(4)), `no password in ${pretty ? 'pretty' : 'JSON'} lines`);
      assert.match(text, /\/stremio\/svp_\[redacted\]~movies\/manifest\.json/);
      assert.equal(text.match(/svp_\[redacted\]/g)?.length, 3);
    }
  });

  it('never writes a hex-encoded password (old Subsonic clients: p=enc:…)', () => {
    const password = `svp_${'a1'.repeat(12)}${'Zq_-9'.repeat(8)}xyz`;
    const hex = Buffer.from(password).toString('hex');
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', role: 'manager', destination });
    logger.info({ req: { method: 'GET', url: `/rest/ping.view?u=ann&p=enc:${hex}&c=x` } }, 'done');
    logger.warn(`refused /rest/stream?u=ann&p=enc:${hex.toUpperCase()}&id=1`);
    logger.warn(`refused /rest/ping?u=ann&p=enc:${Buffer.from('an account password').toString('hex')}`);
    const text = lines.join('\n');
    assert.ok(!/enc:[0-9a-f]{6}/i.test(text), text);
    assert.equal(text.match(/p=enc:\[redacted\]/g)?.length, 3);
  });

  it("never writes Subsonic's password, token and salt, an API key, a sign-in link's token or a party ticket", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', role: 'manager', destination });
    logger.info(
      { req: { method: 'GET', url: '/rest/ping.view?u=ann&p=typed-password&v=1.16.1&c=x' } },
      'done',
    );
    logger.info('GET /rest/stream.view?u=ann&t=26719a1196d2a940705a59634eb18eab&s=c19b2d&id=1 → 200');
    logger.info('GET /rest/getAlbum?apiKey=key-of-ann&id=2 → 200');
    logger.info('GET /auth/magic/magic-token-of-ann?next=%2F → 303');
    logger.info('GET /party/ws?ticket=ticket-of-ann → 101');
    const text = lines.join('\n');
    for (const secret of [
      'typed-password',
      '26719a11',
      'c19b2d',
      'key-of-ann',
      'magic-token-of-ann',
      'ticket-of-ann',
    ]) {
      assert.ok(!text.includes(secret), `${secret} in ${text}`);
    }
    assert.match(text, /u=ann&p=\[redacted\]&v=1\.16\.1&c=x/);
    assert.match(text, /t=\[redacted\]&s=\[redacted\]&id=1/);
    assert.match(text, /\/auth\/magic\/\[redacted\]\?next=%2F/);
  });

  it("prints the first admin's generated password on the terminal only, not to the panel's live log", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', role: 'manager', destination });
    const tapped: string[] = [];
    logTapOf(logger)!.attach((line) => tapped.push(line));
    logger.warn('created admin account "admin" with password: Gen3rated_Pw  (shown once; change it)');
    assert.match(lines.join('\n'), /with password: Gen3rated_Pw {2}\(shown once/);
    assert.equal(tapped.length, 1);
    assert.ok(!tapped[0].includes('Gen3rated_Pw'), tapped[0]);
    assert.match(tapped[0], /with password: \[redacted\] {2}\(shown once/);
  });

  it('redactSecrets leaves text without app passwords alone', () => {
    assert.equal(redactSecrets('/stream/abc?md5=x&expires=1'), '/stream/abc?md5=x&expires=1');
    assert.equal(redactSecrets('key svp_abc-_9/rest'), 'key svp_[redacted]/rest');
    // A stream link's tenant (`t=`) is no secret outside Subsonic's paths.
    assert.equal(
      redactSecrets('/stream/abc/x.mkv?md5=x&expires=1&t=acme'),
      '/stream/abc/x.mkv?md5=x&expires=1&t=acme',
    );
  });
});
