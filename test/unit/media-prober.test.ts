import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ffprobeComplaint } from '../../src/ingest/processing/media-prober.js';

describe("ffprobe's complaint, as a task shows it", () => {
  it('keeps its last line, with the sandbox path cut to the file name', () => {
    const path = '/srv/streamvault/data/downloads/2082083a/.unpacked/Show: Part 2/E02.mkv';
    const error = Object.assign(new Error('Command failed'), {
      stderr: `[mov,mp4 @ 0x55] moov atom not found\n${path}: Invalid data found when processing input\n`,
    });
    assert.equal(ffprobeComplaint(error, path), 'ffprobe: E02.mkv: Invalid data found when processing input');
  });

  it('falls back to the error message when ffprobe said nothing', () => {
    assert.equal(
      ffprobeComplaint(new Error('spawn ffprobe ENOENT'), '/x/a.mkv'),
      'ffprobe: spawn ffprobe ENOENT',
    );
  });
});
