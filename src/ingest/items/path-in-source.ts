import { type IngestItem } from './ingest-item.js';

/**
 * The item's path with the download's own name in front (a torrent's folder, a pack's archive name):
 * a torrent "Title" of folders "Chapter 03", "Chapter 04" names its series only there, a zip
 * "Show.S02.zip" of "Show - 01.mkv" its season.
 */
export function pathInSource(item: IngestItem, downloadName: string | undefined): string {
  if (!downloadName || item.name === downloadName || item.name.startsWith(`${downloadName}/`))
    return item.name;
  return `${downloadName.replace(/\.(zip|cbz|rar|cbr|7z|cb7|tar|torrent)$/i, '')}/${item.name}`;
}
