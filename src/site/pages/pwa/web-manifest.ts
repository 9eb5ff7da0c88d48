/** The web app manifest: installable, standalone, our own icons (no external assets). */
export const WEB_MANIFEST = {
  name: 'StreamVault',
  short_name: 'StreamVault',
  description: 'Movies, series and anime to watch.',
  id: '/',
  start_url: '/?source=pwa',
  scope: '/',
  display: 'standalone',
  background_color: '#0b0d10',
  theme_color: '#0b0d10',
  icons: [
    { src: '/assets/site/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/assets/site/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: '/assets/site/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
} as const;
