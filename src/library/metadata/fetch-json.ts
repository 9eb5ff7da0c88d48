import { MetadataUnavailableError } from './metadata-provider.js';

const TIMEOUT_MS = 10000;

/** GET a catalogue's JSON; transport failures, 429 and 5xx become MetadataUnavailableError (retry later). */
export async function fetchJson<T>(url: URL, headers: Record<string, string> = {}): Promise<T | undefined> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...headers },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new MetadataUnavailableError(`${url.host}: ${(error as Error).message}`);
  }
  if (response.status === 404) return undefined;
  if (response.status === 429 || response.status >= 500) {
    throw new MetadataUnavailableError(`${url.host} answered ${response.status}`);
  }
  if (!response.ok) throw new Error(`${url.host} answered ${response.status} for ${url.pathname}`);
  return (await response.json()) as T;
}
