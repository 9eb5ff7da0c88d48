import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpiringMap } from '../../src/core/util/expiring-map.js';

describe('ExpiringMap (bounded, time-limited record caches)', () => {
  it('answers with a value until its time is up, then not', () => {
    let now = 1000;
    const map = new ExpiringMap<string, number>(10, 500, () => now);
    map.set('a', 1);
    now += 499;
    assert.equal(map.get('a'), 1);
    now += 1;
    assert.equal(map.get('a'), undefined);
    map.set('a', 2); // set again: a fresh time
    assert.equal(map.get('a'), 2);
  });

  it('lets go of the entry set longest ago when full; setting a key again moves it to the back', () => {
    const map = new ExpiringMap<string, number>(2, 60_000);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3);
    map.set('c', 4);
    assert.equal(map.get('b'), undefined, 'b was set longest ago');
    assert.equal(map.get('a'), 3);
    assert.equal(map.get('c'), 4);
    assert.equal(map.size, 2);
  });

  it('forgets one key or everything', () => {
    const map = new ExpiringMap<string, number>(5, 60_000);
    map.set('a', 1);
    map.set('b', 2);
    map.delete('a');
    assert.equal(map.get('a'), undefined);
    assert.equal(map.get('b'), 2);
    map.clear();
    assert.equal(map.size, 0);
  });
});
