/**
 * Where an add-on key is installed from: its manifest URL, the `stremio://` deep link the apps
 * register, Stremio Web's install page, and the configure page.
 */
export function addonLinks(origin: string, keySegment: string) {
  const base = `${origin}/stremio/${encodeURIComponent(keySegment)}`;
  const manifest = `${base}/manifest.json`;
  return {
    manifest,
    stremio: manifest.replace(/^https?:\/\//, 'stremio://'),
    web: `https://web.stremio.com/#/addons?addon=${encodeURIComponent(manifest)}`,
    configure: `${base}/configure`,
  };
}
