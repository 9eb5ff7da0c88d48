import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FfmpegTranscoder } from '../../src/music/streaming/ffmpeg-transcoder.js';
import { type TranscodePlan } from '../../src/music/streaming/transcode-format.js';
import { TranscodeSlots } from '../../src/music/streaming/transcode-slots.js';
import { eventually } from '../support/eventually.js';
import { signInAdmin } from '../support/in-process-app.js';
import { ingestLink } from '../support/link-server.js';
import { tempDir } from '../support/media.js';
import { type MusicBox, startMusicBox } from '../support/music-box.js';
import { toneFile } from '../support/music.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('Transcode slots are spent only on transcodes someone receives', () => {
  let box: MusicBox;
  let slots: TranscodeSlots;
  /** The plans ffmpeg was started with, in order. */
  const started: TranscodePlan[] = [];
  let drone: string;
  let chime: string;

  before(async () => {
    // One slot, and a wait in line far longer than any test: only the client leaving ends a wait.
    box = await startMusicBox('Symfonium', { TRANSCODE_CONCURRENCY: '1', TRANSCODE_QUEUE_WAIT_MS: '60000' });
    const admin = await signInAdmin(box.server);
    const dir = tempDir('sv-slots-');
    for (const [name, seconds] of [
      ['Long Drone', 600],
      ['Short Chime', 3],
    ] as const) {
      const bytes = toneFile(join(dir, `${name}.flac`), {
        seconds,
        frequency: 330,
        tags: { title: name, artist: 'Slot Band', album: name },
      });
      const task = await ingestLink(admin, box.links.url(`${name}.flac`, bytes), { timeoutMs: 120000 });
      assert.equal(task.state, 'done', String(task.error));
    }
    const idOf = async (query: string) => {
      const found = (await (await fetch(box.subsonicUrl('search3', { query, f: 'json' }))).json()) as Json;
      return String(found['subsonic-response'].searchResult3.song[0].id);
    };
    drone = await idOf('long drone');
    chime = await idOf('short chime');
    slots = box.server.app.get(TranscodeSlots);
    const transcoder = box.server.app.get(FfmpegTranscoder);
    const start = transcoder.start.bind(transcoder);
    transcoder.start = (input, plan) => {
      started.push(plan);
      return start(input, plan);
    };
  });
  after(() => box?.stop());

  const stream = (args: Record<string, string>, init: RequestInit = {}) =>
    fetch(box.subsonicUrl('stream', args), init);

  it('a client that gives up while waiting for a slot leaves the line: no ffmpeg runs for it', async () => {
    const holder = await stream({ id: drone, format: 'opus', maxBitRate: '256' });
    const holding = holder.body!.getReader();
    await holding.read();
    assert.equal(slots.active, 1, 'the one slot is taken');

    const leaving = new AbortController();
    const waiter = stream({ id: drone, format: 'aac', maxBitRate: '64' }, { signal: leaving.signal }).catch(
      () => undefined,
    );
    await eventually(
      async () => slots.queued,
      (queued) => queued === 1,
      { intervalMs: 20, what: 'the second request waits in line' },
    );
    leaving.abort();
    await waiter;
    await eventually(
      async () => slots.queued,
      (queued) => queued === 0,
      { intervalMs: 20, what: 'the request whose client left is out of the line' },
    );

    await holding.cancel();
    await eventually(
      async () => slots.active,
      (active) => active === 0,
      { intervalMs: 20, what: 'the slot is free once the holder leaves' },
    );
    assert.deepEqual(
      started.map(({ format }) => format),
      ['opus'],
      'ffmpeg ran for the holder only',
    );

    const next = await stream({ id: drone, format: 'aac', maxBitRate: '64' });
    assert.equal(
      next.headers.get('x-transcode-cache'),
      'miss',
      'nothing was cached for the client that left',
    );
    const reading = next.body!.getReader();
    await reading.read();
    assert.equal(slots.active, 1, 'the next request got the slot');
    await reading.cancel();
    await eventually(
      async () => [slots.active, slots.queued],
      ([active, queued]) => active === 0 && queued === 0,
      { intervalMs: 20, what: 'every slot free again' },
    );
  });

  it('HEAD of a transcode answers the headers a GET would, without a slot or ffmpeg', async () => {
    const before = started.length;
    const head = await stream({ id: drone, format: 'mp3', maxBitRate: '128' }, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'audio/mpeg');
    assert.equal(head.headers.get('x-content-duration'), '600');
    assert.equal(head.headers.get('x-transcode-cache'), 'miss');
    assert.equal(
      head.headers.get('content-length'),
      null,
      'the length of a transcode not yet made is unknown',
    );
    assert.equal(slots.active, 0, 'no slot taken');
    assert.equal(started.length, before, 'no ffmpeg started');

    const whole = Buffer.from(
      await (await stream({ id: chime, format: 'opus', maxBitRate: '96' })).arrayBuffer(),
    );
    const cached = await stream({ id: chime, format: 'opus', maxBitRate: '96' }, { method: 'HEAD' });
    assert.equal(cached.status, 200);
    assert.equal(cached.headers.get('content-type'), 'audio/ogg');
    assert.equal(cached.headers.get('x-transcode-cache'), 'hit');
    assert.equal(
      cached.headers.get('content-length'),
      String(whole.length),
      'a cached transcode has its length',
    );
    assert.equal(started.length, before + 1, 'only the GET ran ffmpeg');
  });
});
