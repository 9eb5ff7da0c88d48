import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface StubMovie {
  id: number;
  title: string;
  year: number;
  overview: string;
  genres: string[];
  imdb: string;
}

export interface StubSeries {
  id: number;
  name: string;
  year: number;
  overview: string;
  /** Episodes per season number; each has a still at `/t/p/w300/still-<id>-s<season>e<episode>.jpg`. */
  seasons: Record<number, number>;
}

export interface StubAnime {
  malId: number;
  title: string;
  english: string;
  japanese: string;
  year: number;
  synopsis: string;
}

export interface StubManga {
  malId: number;
  title: string;
  english: string;
  japanese: string;
  /** First published. */
  year: number;
  synopsis: string;
  genres: string[];
}

/**
 * TMDB (v3) and Jikan (v4) on 127.0.0.1, answering in the shape the real APIs use (trimmed to the
 * fields we read). `down` makes every answer a 503; `requests` records paths with their queries.
 * TMDB's image host is here too: every `/t/p/...jpg` is a small JPEG.
 */
export async function startMetadataStub(catalogue: {
  movies: StubMovie[];
  anime: StubAnime[];
  series?: StubSeries[];
  manga?: StubManga[];
}) {
  const requests: string[] = [];
  const image = await sharp({
    create: { width: 300, height: 169, channels: 3, background: { r: 30, g: 90, b: 160 } },
  })
    .jpeg()
    .toBuffer();
  const series = catalogue.series ?? [];
  // `seasonsDown`: only TMDB's season endpoint (episode stills) answers 503.
  const state = { down: false, seasonsDown: false };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    requests.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (state.down) return send(503, { status_message: 'Service unavailable' });
    if (url.pathname.startsWith('/t/p/') && url.pathname.endsWith('.jpg')) {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': image.length }).end(image);
      return;
    }
    if (url.pathname.startsWith('/3/') && url.searchParams.get('api_key') !== 'stub-tmdb-key-0123456789') {
      return send(401, { status_message: 'Invalid API key' });
    }
    const query = (url.searchParams.get('query') ?? url.searchParams.get('q') ?? '').toLowerCase();
    if (url.pathname === '/3/search/movie') {
      const year = url.searchParams.get('year');
      const results = catalogue.movies
        .filter((movie) => movie.title.toLowerCase() === query && (!year || String(movie.year) === year))
        .map((movie) => ({ id: movie.id, title: movie.title }));
      return send(200, { page: 1, results, total_results: results.length });
    }
    const detail = /^\/3\/movie\/(\d+)$/.exec(url.pathname);
    if (detail) {
      const movie = catalogue.movies.find((candidate) => candidate.id === Number(detail[1]));
      if (!movie) return send(404, { status_message: 'not found' });
      return send(200, {
        id: movie.id,
        title: movie.title,
        original_title: movie.title,
        overview: movie.overview,
        release_date: `${movie.year}-05-01`,
        genres: movie.genres.map((name, index) => ({ id: index + 1, name })),
        poster_path: `/poster-${movie.id}.jpg`,
        backdrop_path: `/backdrop-${movie.id}.jpg`,
        imdb_id: movie.imdb,
      });
    }
    if (url.pathname === '/3/search/tv') {
      const results = series
        .filter((show) => show.name.toLowerCase() === query)
        .map((show) => ({ id: show.id, name: show.name }));
      return send(200, { page: 1, results, total_results: results.length });
    }
    const tv = /^\/3\/tv\/(\d+)(?:\/season\/(\d+))?$/.exec(url.pathname);
    if (tv) {
      const show = series.find((candidate) => candidate.id === Number(tv[1]));
      if (!show) return send(404, { status_message: 'not found' });
      if (tv[2] === undefined) {
        return send(200, {
          id: show.id,
          name: show.name,
          original_name: show.name,
          overview: show.overview,
          first_air_date: `${show.year}-01-10`,
          genres: [{ id: 18, name: 'Drama' }],
          poster_path: `/tv-poster-${show.id}.jpg`,
          backdrop_path: null,
          external_ids: { imdb_id: null },
        });
      }
      if (state.seasonsDown) return send(503, { status_message: 'Service unavailable' });
      const season = Number(tv[2]);
      const count = show.seasons[season];
      if (!count) return send(404, { status_message: 'not found' });
      return send(200, {
        season_number: season,
        episodes: Array.from({ length: count }, (_, index) => ({
          episode_number: index + 1,
          name: `Episode ${index + 1}`,
          still_path: `/still-${show.id}-s${season}e${index + 1}.jpg`,
        })),
      });
    }
    if (url.pathname === '/v4/anime') {
      const data = catalogue.anime
        .filter((anime) => [anime.title, anime.english].some((name) => name.toLowerCase().includes(query)))
        .map((anime) => ({
          mal_id: anime.malId,
          title: anime.title,
          title_english: anime.english,
          title_japanese: anime.japanese,
          titles: [{ type: 'Default', title: anime.title }],
          synopsis: anime.synopsis,
          year: anime.year,
          genres: [{ mal_id: 1, name: 'Action' }],
          images: { jpg: { large_image_url: `http://${req.headers.host}/anime/${anime.malId}.jpg` } },
        }));
      return send(200, { data, pagination: { has_next_page: false } });
    }
    if (url.pathname === '/v4/manga') {
      const data = (catalogue.manga ?? [])
        .filter((manga) => [manga.title, manga.english].some((name) => name.toLowerCase().includes(query)))
        .map((manga) => ({
          mal_id: manga.malId,
          title: manga.title,
          title_english: manga.english,
          title_japanese: manga.japanese,
          titles: [{ type: 'Default', title: manga.title }],
          synopsis: manga.synopsis,
          published: { from: `${manga.year}-08-25T00:00:00+00:00`, to: null },
          genres: manga.genres.map((name, index) => ({ mal_id: index + 1, name })),
          images: { jpg: { large_image_url: `http://${req.headers.host}/manga/${manga.malId}.jpg` } },
        }));
      return send(200, { data, pagination: { has_next_page: false } });
    }
    return send(404, { status_message: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    requests,
    state,
    env: {
      TMDB_API_KEY: 'stub-tmdb-key-0123456789',
      TMDB_BASE_URL: `${base}/3`,
      JIKAN_BASE_URL: `${base}/v4`,
      // Images point back at the stub, so the artwork job never reaches out (the SSRF guard refuses
      // loopback unless a test allows the stub's port).
      TMDB_IMAGE_BASE_URL: `${base}/t/p`,
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
