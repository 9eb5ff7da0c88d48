import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  normalizeDomain,
  normalizeHost,
  requestHost,
  TrustedProxies,
} from '../../src/core/tenancy/tenant-host.js';

describe('tenant host resolution', () => {
  describe('normalizeHost', () => {
    it('lower-cases, drops the port and the trailing dot', () => {
      assert.equal(normalizeHost('Client-Site.COM'), 'client-site.com');
      assert.equal(normalizeHost('client-site.com:8443'), 'client-site.com');
      assert.equal(normalizeHost('client-site.com.'), 'client-site.com');
    });

    it('turns an IDN into punycode, so both spellings find the same tenant', () => {
      assert.equal(normalizeHost('BÜCHER.example'), 'xn--bcher-kva.example');
      assert.equal(normalizeHost('xn--bcher-kva.example'), 'xn--bcher-kva.example');
    });

    it('keeps IPv6 literals in brackets and drops their port', () => {
      assert.equal(normalizeHost('[::1]:8080'), '[::1]');
      assert.equal(normalizeHost('[::1'), undefined);
      assert.equal(normalizeHost('[not-an-ip]'), undefined);
    });

    it('refuses what is not a host', () => {
      for (const bad of [
        '',
        'a b.com',
        'evil.com/path',
        'user@evil.com',
        'a:b:c',
        '-lead.com',
        'x'.repeat(254),
      ]) {
        assert.equal(normalizeHost(bad), undefined, bad);
      }
      assert.equal(normalizeHost(undefined), undefined);
    });
  });

  describe('normalizeDomain (what a tenant may list)', () => {
    it('accepts host names only: no port, address, scheme or single label', () => {
      assert.equal(normalizeDomain('WWW.Client-Site.com'), 'www.client-site.com');
      for (const bad of ['client.com:80', '10.0.0.1', 'https://client.com', 'localhost', '[::1]']) {
        assert.equal(normalizeDomain(bad), undefined, bad);
      }
    });
  });

  describe('requestHost', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8', '::1']);

    it('believes X-Forwarded-Host only from a trusted proxy', () => {
      const headers = { host: 'internal:8080', 'x-forwarded-host': 'Client.com, other.com' };
      assert.equal(requestHost(headers, '10.1.2.3', proxies), 'client.com');
      assert.equal(requestHost(headers, '::ffff:10.1.2.3', proxies), 'client.com');
      assert.equal(requestHost(headers, '::1', proxies), 'client.com');
      assert.equal(requestHost(headers, '192.168.1.5', proxies), 'internal');
      assert.equal(requestHost(headers, '10.1.2.3', new TrustedProxies([])), 'internal');
    });

    it('uses Host without a forwarded header', () => {
      assert.equal(requestHost({ host: 'Client.com:443' }, '10.1.2.3', proxies), 'client.com');
      assert.equal(requestHost({}, '10.1.2.3', proxies), undefined);
    });
  });
});
