import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { Readable, type Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { ffmpegArguments, type TranscodePlan } from './transcode-format.js';

export interface RunningTranscode {
  /** The encoded bytes, as ffmpeg produces them. */
  output: Readable;
  /** Settles when ffmpeg exits: resolves on success, rejects with its complaint otherwise. */
  done: Promise<void>;
  /** Stops ffmpeg at once (the client went away). */
  kill(): void;
  readonly pid: number | undefined;
}

/**
 * The one place ffmpeg runs for music: source bytes in on stdin (or a local file's path, for a source
 * that must be read with seeks), the transcode out on stdout.
 */
@Injectable()
export class FfmpegTranscoder {
  start(input: Readable | string, plan: TranscodePlan): RunningTranscode {
    const source = typeof input === 'string' ? Readable.from([]) : input;
    const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
      'ffmpeg',
      ffmpegArguments(plan, typeof input === 'string' ? input : 'pipe:0'),
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    // ffmpeg stops reading once it has what it needs (or dies): the source is then simply dropped.
    child.stdin.on('error', () => source.destroy());
    source.on('error', () => child.stdin.destroy());
    source.pipe(child.stdin);
    let killed = false;
    const done = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        source.destroy();
        if (code === 0) resolve();
        else
          reject(
            new Error(
              killed
                ? 'transcode cancelled'
                : `ffmpeg ended with ${signal ?? `code ${String(code)}`}: ${stderr.trim().split('\n').at(-1) ?? ''}`,
            ),
          );
      });
    });
    return {
      output: child.stdout,
      done,
      pid: child.pid,
      kill: () => {
        if (killed || child.exitCode !== null) return;
        killed = true;
        source.destroy();
        child.kill('SIGKILL');
      },
    };
  }
}
