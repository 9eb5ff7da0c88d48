import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyControl,
  chatText,
  displayName,
  INITIAL_STATE,
  mayControl,
  PartyRuleError,
  positionAt,
} from '../../src/site/party/party-rules.js';

describe('watch-party room rules', () => {
  it('lets the host control, and everyone only when the host allowed it', () => {
    assert.equal(mayControl('h', 'h', false), true);
    assert.equal(mayControl('g', 'h', false), false);
    assert.equal(mayControl('g', 'h', true), true);
  });

  it('stamps every change with the server clock and the next revision', () => {
    const played = applyControl(INITIAL_STATE, { action: 'play', position: 12 }, 5_000);
    assert.deepEqual(played, { playing: true, position: 12, rate: 1, at: 5_000, revision: 1 });
    const paused = applyControl(played, { action: 'pause', position: 14 }, 7_000);
    assert.deepEqual(paused, { playing: false, position: 14, rate: 1, at: 7_000, revision: 2 });
  });

  it('keeps playing (or paused) across a seek', () => {
    const played = applyControl(INITIAL_STATE, { action: 'play', position: 0 }, 0);
    assert.equal(applyControl(played, { action: 'seek', position: 90 }, 1_000).playing, true);
    assert.equal(applyControl(INITIAL_STATE, { action: 'seek', position: 90 }, 1_000).playing, false);
  });

  it('changes the rate from where the room has got to, not from the last stamp', () => {
    const played = applyControl(INITIAL_STATE, { action: 'play', position: 10 }, 0);
    const faster = applyControl(played, { action: 'rate', rate: 2 }, 4_000);
    assert.deepEqual([faster.position, faster.rate, faster.playing], [14, 2, true]);
    assert.equal(positionAt(faster, 5_000), 16);
  });

  it('refuses unknown actions, positions that are not seconds, and rates outside 0.25–4', () => {
    const bad: unknown[] = [
      { action: 'eject' },
      { action: 'seek' },
      { action: 'seek', position: -1 },
      { action: 'play', position: Number.NaN },
      { action: 'play', position: '12' },
      { action: 'rate', rate: 0 },
      { action: 'rate', rate: 16 },
      { action: 'rate', rate: Number.POSITIVE_INFINITY },
    ];
    for (const request of bad) {
      assert.throws(
        () => applyControl(INITIAL_STATE, request as never, 0),
        (error: unknown) => error instanceof PartyRuleError && error.code === 'bad_request',
        JSON.stringify(request),
      );
    }
  });

  it('takes chat text of 1–500 characters, trimmed; escaping is left to the page', () => {
    assert.equal(chatText('  <b>hi</b>  '), '<b>hi</b>');
    assert.equal(chatText('x'.repeat(500)).length, 500);
    for (const text of ['', '   ', 'x'.repeat(501), 42, undefined]) {
      assert.throws(() => chatText(text), PartyRuleError);
    }
  });

  it('cleans display names: control characters out, 40 characters at most, a fallback when empty', () => {
    assert.equal(displayName(' Ada\u0000\u001b ', 'Guest'), 'Ada');
    assert.equal(displayName('n'.repeat(60), 'Guest').length, 40);
    assert.equal(displayName('   ', 'Guest 1a2b'), 'Guest 1a2b');
    assert.equal(displayName({ toString: () => 'x' }, 'Guest'), 'Guest');
  });
});
