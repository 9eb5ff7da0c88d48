import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DockerfileParser } from 'dockerfile-ast';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../support/paths.js';

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');

// No Docker engine here, so the image is reviewed the way hadolint would, and checked against the
// build the tests themselves exercise (same entry point, same build output folder).
describe('Dockerfile', () => {
  const dockerfile = DockerfileParser.parse(read('Dockerfile'));
  const instructions = dockerfile.getInstructions();
  const runtimeStart = instructions.findLastIndex((i) => i.getKeyword() === 'FROM');
  const runtime = instructions.slice(runtimeStart);
  const args = (keyword: string) =>
    runtime.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '');

  it('builds from the pinned Node 20 bookworm-slim base in two stages', () => {
    assert.match(read('Dockerfile'), /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    assert.deepEqual(
      dockerfile.getFROMs().map((from) => from.getBuildStage()),
      ['build', 'runtime'],
    );
  });

  it('installs apt packages without recommends and cleans the lists in the same layer', () => {
    for (const run of args('RUN').filter((text) => text.includes('apt-get install'))) {
      assert.match(run, /apt-get update/);
      assert.match(run, /--no-install-recommends/);
      assert.match(run, /rm -rf \/var\/lib\/apt\/lists/);
      for (const tool of ['ffmpeg', 'aria2', 'yt-dlp']) assert.match(run, new RegExp(`\\b${tool}\\b`));
    }
  });

  it('runs as a non-root user with a health check on /healthz', () => {
    const users = args('USER');
    assert.equal(users.at(-1), 'node');
    assert.match(args('HEALTHCHECK').join(' '), /\/healthz/);
  });

  it('uses exec form for ENTRYPOINT and CMD, and no ADD', () => {
    assert.equal(instructions.filter((i) => i.getKeyword() === 'ADD').length, 0);
    for (const text of [...args('ENTRYPOINT'), ...args('CMD')]) assert.match(text, /^\[.*\]$/);
  });

  it('starts the file `npm run build` produces', () => {
    const nest = JSON.parse(read('nest-cli.json'));
    const buildConfig = JSON.parse(read(nest.compilerOptions.tsConfigPath));
    const entry = `${buildConfig.compilerOptions.outDir}/${nest.entryFile}.js`;
    assert.equal(args('CMD').at(-1), `["node", "${entry}"]`);
    assert.equal(JSON.parse(read('package.json')).scripts['start:prod'], `node ${entry}`);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('deploy/docker-compose.yml'), { merge: true });

  it('runs mongo 7, redis 7 and nginx beside the three roles from one image', () => {
    assert.equal(compose.services.mongo.image, 'mongo:7');
    assert.equal(compose.services.redis.image, 'redis:7');
    assert.ok(compose.services.nginx);
    const images = new Set(['manager', 'worker', 'streamer'].map((name) => compose.services[name].image));
    assert.equal(images.size, 1);
    for (const role of ['manager', 'worker', 'streamer']) {
      assert.equal(compose.services[role].environment.ROLE, role);
      assert.equal(compose.services[role].environment.MONGODB_URI, 'mongodb://mongo:27017/streamvault');
    }
  });

  it('lets workers scale (no fixed container name or host port on them)', () => {
    assert.equal(compose.services.worker.container_name, undefined);
    assert.equal(compose.services.worker.ports, undefined);
  });

  it('has prometheus scrape all three roles', () => {
    const prometheus = parse(read('deploy/prometheus.yml'));
    const targets = prometheus.scrape_configs.flatMap((job: { dns_sd_configs: { names: string[] }[] }) =>
      job.dns_sd_configs.flatMap((sd) => sd.names),
    );
    assert.deepEqual(targets.sort(), ['manager', 'streamer', 'worker']);
  });
});
