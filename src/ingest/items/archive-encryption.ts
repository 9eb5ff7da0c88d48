import { execa } from 'execa';
import { createExtractorFromFile } from 'node-unrar-js';

const LIST_TIMEOUT_MS = 60_000;

/**
 * Whether an archive is password-protected (its headers, or any file in it), read from its headers
 * only. libarchive (bsdtar) cannot say it for every format: it passes a stored entry of an encrypted
 * RAR 4 archive through as its scrambled bytes without a word, and fails an encrypted 7z entry with
 * no reason. So RAR is listed with unrar (node-unrar-js, WebAssembly), 7z and zip with 7-Zip (`7z l`,
 * Debian's p7zip-full, with an empty password so it never asks). Undefined when that cannot be told.
 */
export async function isEncryptedArchive(path: string, format: string): Promise<boolean | undefined> {
  try {
    if (format === 'rar') return await encryptedRar(path);
    if (format === '7z' || format === 'zip') return await encryptedBy7zip(path);
    return false;
  } catch {
    return undefined; // damaged, or the lister is missing: unpacking says what is wrong
  }
}

async function encryptedRar(path: string): Promise<boolean> {
  const extractor = await createExtractorFromFile({ filepath: path });
  try {
    const list = extractor.getFileList();
    if (list.arcHeader.flags.headerEncrypted) return true;
    for (const header of list.fileHeaders) if (header.flags.encrypted) return true;
    return false;
  } catch (error) {
    // An encrypted header stops the listing itself.
    if ((error as { reason?: string }).reason === 'ERAR_MISSING_PASSWORD') return true;
    throw error;
  }
}

async function encryptedBy7zip(path: string): Promise<boolean> {
  const { stdout, stderr, exitCode } = await execa('7z', ['l', '-slt', '-ba', '-p', '--', path], {
    reject: false,
    stdin: 'ignore',
    timeout: LIST_TIMEOUT_MS,
  });
  if (/^Encrypted = \+$/m.test(stdout)) return true;
  // Encrypted names: the archive cannot even be listed without the password.
  if (/Cannot open encrypted archive/.test(`${stdout}\n${stderr}`)) return true;
  if (exitCode !== 0) throw new Error('7z could not list the archive');
  return false;
}
