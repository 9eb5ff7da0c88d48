import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/core/logging/create-logger.js';
import { redactSecrets } from '../../src/core/logging/redact-secrets.js';
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

  it('redactSecrets leaves text without app passwords alone', () => {
    assert.equal(redactSecrets('/stream/abc?md5=x&expires=1'), '/stream/abc?md5=x&expires=1');
    assert.equal(redactSecrets('key svp_abc-_9/rest'), 'key svp_[redacted]/rest');
  });
});
