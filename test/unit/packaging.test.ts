import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DockerfileParser } from 'dockerfile-ast';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../support/paths.js';

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');
const YTDLP_REQUIREMENTS = 'deploy/yt-dlp/requirements.txt';

/** A pip requirements file's requirements: continuations joined, spaces folded, comments and blanks dropped. */
function requirementLines(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) =>
      line
        .replace(/(^|\s)#.*$/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}

// No Docker engine here, so the image is reviewed the way hadolint would, and checked against the
// build the tests themselves exercise (same entry point, same build output folder).
describe('Dockerfile', () => {
  const dockerfile = DockerfileParser.parse(read('Dockerfile'));
  const instructions = dockerfile.getInstructions();
  /** The instructions of one build stage (`FROM ... AS name` up to the next FROM). */
  const stage = (name: string) => {
    const start = instructions.findIndex(
      (i) => i.getKeyword() === 'FROM' && (i.getArgumentsContent() ?? '').endsWith(` AS ${name}`),
    );
    assert.ok(start >= 0, `no stage ${name}`);
    const end = instructions.findIndex((i, index) => index > start && i.getKeyword() === 'FROM');
    return instructions.slice(start, end < 0 ? undefined : end);
  };
  const runtime = stage('runtime');
  const args = (keyword: string, from = runtime) =>
    from.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '');
  /** The packages one `apt-get install` line names. */
  const aptPackages = (run: string) =>
    (/apt-get install ([^&]*)/.exec(run)?.[1] ?? '')
      .split(/\s+/)
      .filter((word) => word && !word.startsWith('-'));

  it('builds from the pinned Node 20 bookworm-slim base: build, yt-dlp and runtime stages', () => {
    assert.match(read('Dockerfile'), /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    assert.deepEqual(
      dockerfile.getFROMs().map((from) => from.getBuildStage()),
      ['build', 'ytdlp', 'runtime'],
    );
  });

  it('installs apt packages without recommends and cleans the lists in the same layer, in every stage', () => {
    const installs = args('RUN', instructions).filter((text) => text.includes('apt-get install'));
    assert.equal(installs.length, 2);
    for (const run of installs) {
      assert.match(run, /apt-get update/);
      assert.match(run, /--no-install-recommends/);
      assert.match(run, /rm -rf \/var\/lib\/apt\/lists/);
    }
  });

  it("gives the runtime the tools the worker drives, Debian's yt-dlp and build tools not among them", () => {
    const [install] = args('RUN').filter((text) => text.includes('apt-get install'));
    const packages = aptPackages(install);
    for (const tool of ['ffmpeg', 'aria2', 'libarchive-tools', 'python3', 'tini'])
      assert.ok(packages.includes(tool), tool);
    for (const absent of ['yt-dlp', 'python3-pip', 'python3-venv', 'python3-dev', 'build-essential', 'gcc']) {
      assert.ok(!packages.includes(absent), `${absent} in the runtime`);
    }
  });

  it('installs yt-dlp from PyPI by exact version and sha256 only, with nothing unpinned beside it', () => {
    const [requirement, ...others] = requirementLines(read(YTDLP_REQUIREMENTS));
    assert.deepEqual(others, [], 'yt-dlp alone');
    assert.match(requirement, /^yt-dlp==\d{4}\.\d{1,2}\.\d{1,2} --hash=sha256:[0-9a-f]{64}$/);

    const ytdlp = stage('ytdlp');
    const copied = args('COPY', ytdlp).find((text) => text.startsWith(`${YTDLP_REQUIREMENTS} `));
    assert.ok(copied, 'the requirements file is copied in');
    const into = copied.split(' ')[1];
    const [install] = args('RUN', ytdlp).filter((text) => text.includes('pip install'));
    for (const flag of ['--require-hashes', '--no-deps', '--only-binary=:all:', `-r ${into}`]) {
      assert.ok(install.includes(flag), `pip install ${flag}`);
    }
    assert.match(install, /pip uninstall --yes pip setuptools/, 'pip itself is not shipped');
    assert.equal(
      args('RUN', [...stage('build'), ...runtime]).filter((text) => /\bpip3? install/.test(text)).length,
      0,
      'no other pip install',
    );
  });

  it('README names the yt-dlp release the image pins, as yt-dlp prints it', () => {
    const [requirement] = requirementLines(read(YTDLP_REQUIREMENTS));
    const pinned = /^yt-dlp==([\d.]+)/.exec(requirement)![1];
    const printed = pinned
      .split('.')
      .map((part, index) => (index === 0 ? part : part.padStart(2, '0')))
      .join('.');
    assert.ok(read('README.md').includes(`yt-dlp ${printed}`), `README says "yt-dlp ${printed}"`);
  });

  it('ships the yt-dlp virtualenv on PATH and checks at build time that it runs', () => {
    const fromYtdlp = runtime.filter(
      (i) => i.getKeyword() === 'COPY' && /--from=ytdlp/.test(i.getTextContent()),
    );
    assert.deepEqual(
      fromYtdlp.map((i) => i.getArgumentsContent()),
      ['/opt/yt-dlp /opt/yt-dlp'],
    );
    const copyAt = runtime.indexOf(fromYtdlp[0]);
    const linkAt = runtime.findIndex((i) =>
      /ln -s \/opt\/yt-dlp\/bin\/yt-dlp \/usr\/local\/bin\/yt-dlp/.test(i.getTextContent()),
    );
    assert.ok(linkAt > copyAt, 'linked onto PATH after the copy');
    assert.match(runtime[linkAt].getArgumentsContent() ?? '', /&& yt-dlp --version$/);
    const aptAt = runtime.findIndex((i) => /apt-get install/.test(i.getTextContent()));
    assert.ok(aptAt < copyAt, 'after the apt layer: a yt-dlp bump does not download ffmpeg again');
  });

  it('downloads nothing outside the package managers, and pipes nothing into a shell', () => {
    for (const run of args('RUN', instructions)) {
      assert.doesNotMatch(run, /\b(curl|wget)\b/);
      assert.doesNotMatch(run, /\|\s*(ba|da)?sh\b/);
    }
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const ignored = read('.dockerignore').split('\n').filter(Boolean);
    const sources = instructions
      .filter((i) => i.getKeyword() === 'COPY' && !/--from=/.test(i.getTextContent()))
      .flatMap((i) =>
        i
          .getArguments()
          .slice(0, -1)
          .map((arg) => arg.getValue()),
      );
    assert.ok(sources.includes(YTDLP_REQUIREMENTS));
    for (const source of sources) {
      assert.ok(existsSync(join(PROJECT_ROOT, source)), `${source} exists`);
      assert.ok(!ignored.includes(source.split('/')[0]), `${source} is not in .dockerignore`);
    }
  });

  it('runs as a non-root user with a health check on /healthz', () => {
    const users = args('USER');
    assert.equal(users.at(-1), 'node');
    assert.match(args('HEALTHCHECK').join(' '), /\/healthz/);
  });

  it('ships what the operator commands the README gives run with (npm run reindex / seed)', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    const copied = args('COPY').map((text) => text.replace(/^--\S+\s+/g, '').split(/\s+/)[0]);
    for (const name of ['reindex', 'seed']) {
      const file = /^node (\S+)/.exec(scripts[name])?.[1] ?? '';
      assert.ok(copied.includes(file), `${file} (npm run ${name}) is copied into the image`);
      // What that launcher imports comes along.
      for (const [, imported] of read(file).matchAll(/from '\.\/(lib)\/[^']+'/g))
        assert.ok(copied.includes(`scripts/${imported}`), `scripts/${imported} is copied`);
    }
    assert.ok(copied.includes('package.json'), 'npm run needs package.json');
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

  it("pins every role's DATA_DIR to the path its volume is mounted at", () => {
    for (const role of ['manager', 'worker', 'streamer']) {
      const service = compose.services[role];
      const mount = (service.volumes as string[]).map((volume) => volume.split(':')[1]);
      assert.ok(
        mount.includes(service.environment.DATA_DIR),
        `${role}: DATA_DIR ${service.environment.DATA_DIR}`,
      );
    }
  });

  it("passes YTDLP_PATH to every role, unset meaning the image's own yt-dlp", () => {
    for (const role of ['manager', 'worker', 'streamer']) {
      assert.equal(compose.services[role].environment.YTDLP_PATH, '${YTDLP_PATH:-}');
    }
  });

  it("believes X-Forwarded-For from nginx's fixed address only, not the network its gateway is in", () => {
    const nginxAddress = compose.services.nginx.networks.default.ipv4_address;
    assert.equal(nginxAddress, '${NGINX_ADDRESS:-172.30.77.10}');
    for (const role of ['manager', 'worker', 'streamer']) {
      assert.equal(
        compose.services[role].environment.TRUSTED_PROXIES,
        '${TRUSTED_PROXIES:-' + nginxAddress + '}',
      );
    }
    assert.equal(compose.networks.default.ipam.config[0].subnet, '${COMPOSE_SUBNET:-172.30.77.0/24}');
  });

  it('lets workers scale (no fixed container name or host port on them)', () => {
    assert.equal(compose.services.worker.container_name, undefined);
    assert.equal(compose.services.worker.ports, undefined);
  });

  it('gives nginx every placeholder of its template (the image renders only those it is given)', () => {
    const directives = read('nginx/streamvault.conf').replace(/#.*$/gm, '');
    const placeholders = new Set([...directives.matchAll(/\$\{([A-Z_]+)\}/g)].map((match) => match[1]));
    assert.ok(placeholders.has('ERROR_LOG'));
    assert.deepEqual(
      [...placeholders].filter((name) => !(name in compose.services.nginx.environment)),
      [],
    );
  });

  it('has prometheus scrape all three roles', () => {
    const prometheus = parse(read('deploy/prometheus.yml'));
    const targets = prometheus.scrape_configs.flatMap((job: { dns_sd_configs: { names: string[] }[] }) =>
      job.dns_sd_configs.flatMap((sd) => sd.names),
    );
    assert.deepEqual(targets.sort(), ['manager', 'streamer', 'worker']);
  });
});
