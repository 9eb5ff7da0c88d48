import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type NextFunction, type Request, type Response } from 'express';
import { forwardedForTrust, untrustedProxyWarning } from '../../src/core/http/forwarded-for-trust.js';

describe('forwardedForTrust (whose X-Forwarded-For names the client)', () => {
  it('by default, only loopback: nginx on the same host', () => {
    const trusts = forwardedForTrust([]);
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      assert.ok(trusts(address), address);
    // A LAN, a container network, a link-local or unique-local neighbour: any client there could lie.
    for (const address of ['192.168.1.20', '10.0.0.5', '172.17.0.1', '169.254.1.1', 'fd00::1', '203.0.113.9'])
      assert.equal(trusts(address), false, address);
  });

  it('TRUSTED_PROXIES, when set, and nothing else', () => {
    const trusts = forwardedForTrust(['172.30.77.0/24', '2001:db8::10']);
    assert.ok(trusts('172.30.77.4'));
    assert.ok(trusts('::ffff:172.30.77.4'));
    assert.ok(trusts('2001:db8::10'));
    assert.equal(trusts('172.30.78.4'), false);
    assert.equal(trusts('127.0.0.1'), false);
  });
});

describe('untrustedProxyWarning', () => {
  const request = (remoteAddress: string, forwarded?: string) =>
    ({
      socket: { remoteAddress },
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
    }) as unknown as Request;

  it('says once that a private address forwards clients it is not trusted to name', () => {
    const warnings: string[] = [];
    const middleware = untrustedProxyWarning(forwardedForTrust([]), { warn: (line) => warnings.push(line) });
    let passed = 0;
    const next: NextFunction = () => void passed++;
    middleware(request('127.0.0.1', '203.0.113.1'), {} as Response, next); // trusted
    middleware(request('203.0.113.50', '198.51.100.1'), {} as Response, next); // a public client's own header
    middleware(request('::ffff:192.168.1.5'), {} as Response, next); // no header
    assert.deepEqual(warnings, []);
    middleware(request('::ffff:192.168.1.5', '198.51.100.1'), {} as Response, next);
    middleware(request('10.0.0.9', '198.51.100.2'), {} as Response, next);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /192\.168\.1\.5 carry X-Forwarded-For.*TRUSTED_PROXIES/);
    assert.equal(passed, 5, 'every request goes on');
  });
});
