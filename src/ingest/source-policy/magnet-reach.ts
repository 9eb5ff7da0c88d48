import { type AppConfig } from '../../core/config/app-config.js';

/**
 * Why aria2 could never find a peer for this magnet, or undefined when it can try. With DHT off (the
 * default) aria2 sends no UDP at all, UDP tracker announces included, and peer exchange is off: its
 * peers come only from http(s) trackers (through the guarded proxy), web seeds and, with `lpd`, the
 * worker's LAN. A magnet with none of those would hold a worker for the whole stall timeout and fail.
 */
export function unreachableMagnetReason(
  uri: string,
  direct: AppConfig['ingest']['torrentDirect'],
): string | undefined {
  if (direct.dht || direct.lpd) return undefined;
  const params = new URLSearchParams(uri.slice(uri.indexOf('?') + 1));
  const trackers: string[] = [];
  let webSeeds = 0;
  for (const [key, value] of params) {
    // `tr.1`, `tr.2`...: numbered spellings some clients write.
    if (/^tr(\.\d+)?$/i.test(key)) trackers.push(value.trim());
    else if (/^ws(\.\d+)?$/i.test(key) && value.trim()) webSeeds++;
  }
  if (webSeeds > 0 || trackers.some((tracker) => /^https?:\/\//i.test(tracker))) return undefined;
  const listed = trackers.some((tracker) => /^udp:\/\//i.test(tracker))
    ? 'lists only udp:// trackers'
    : 'names no http(s) tracker';
  return (
    `This magnet link ${listed} and no web seed, and this server reaches UDP trackers and DHT only ` +
    'when INGEST_TORRENT_DIRECT includes dht (it does not), so the download could never find a peer. ' +
    'Send a link with an http(s) tracker (or a .torrent link), or ask the operator to set INGEST_TORRENT_DIRECT=dht.'
  );
}
