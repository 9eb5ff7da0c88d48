// Title page: watched marks from the progress API, comments (post, admin delete).
import { setupComments } from './comments.js';

const page = document.querySelector('.title-page');
const titleId = page?.dataset.titleId;

async function markWatched() {
  const res = await fetch(`/api/progress/title/${titleId}`, { headers: { accept: 'application/json' } });
  if (!res.ok) return;
  const body = await res.json();
  const watched = new Set((body.episodes ?? []).filter((e) => e.watched).map((e) => `${e.season}:${e.episode}`));
  const watchedFiles = new Set(body.watchedFileIds ?? []);
  for (const episode of document.querySelectorAll('.episode')) {
    const files = (episode.dataset.files ?? '').split(' ');
    if (watched.has(episode.dataset.episode) || files.some((id) => watchedFiles.has(id))) {
      episode.querySelector('.watched').hidden = false;
    }
  }
}

if (titleId) {
  setupComments();
  markWatched().catch(() => {});
}
