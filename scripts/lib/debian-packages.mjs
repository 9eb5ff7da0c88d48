import { step } from './log.mjs';
import { commandExists, run } from './run.mjs';

/** Debian packages the app and its tests use, with the command each provides. */
export const DEBIAN_PACKAGES = [
  { name: 'ffmpeg', command: 'ffmpeg' },
  { name: 'aria2', command: 'aria2c' },
  { name: 'libarchive-tools', command: 'bsdtar' },
  { name: 'p7zip-full', command: '7z' },
  { name: 'poppler-utils', command: 'pdftoppm' },
  { name: 'yt-dlp', command: 'yt-dlp' },
  { name: 'nginx', command: 'nginx' },
  { name: 'chromium', command: 'chromium' },
  { name: 'wrk', command: 'wrk' },
  { name: 'redis-server', command: 'redis-server' },
  // Tests only: creates the database the FerretDB-on-PostgreSQL explain test runs in.
  { name: 'postgresql-client', command: 'psql' },
];

/**
 * Installs the missing ones with apt-get when running as root; otherwise says what to install.
 * Returns the names still missing afterwards (a failure here is reported, not fatal: the tests that
 * need a tool say so themselves).
 */
export async function ensureDebianPackages() {
  const missing = DEBIAN_PACKAGES.filter((pkg) => !commandExists(pkg.command)).map((pkg) => pkg.name);
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0 || !commandExists('apt-get')) {
    step(
      `missing tools: ${missing.join(' ')} — install them with: sudo apt-get install -y ${missing.join(' ')}`,
    );
    return missing;
  }
  step(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let code = await run('apt-get', ['update', '-qq'], { env });
  if (code === 0) code = await run('apt-get', ['install', '-y', '-qq', ...missing], { env });
  if (code !== 0) step(`apt-get exited with ${code}; continuing without: ${missing.join(' ')}`);
  return DEBIAN_PACKAGES.filter((pkg) => !commandExists(pkg.command)).map((pkg) => pkg.name);
}
