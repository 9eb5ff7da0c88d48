import { type TitleCard } from '../../../library/catalog/title-card.js';
import { artworkSrc, initialOf } from '../artwork.js';

const KIND_LABELS: Record<string, string> = {
  movie: 'Movie',
  series: 'Series',
  anime: 'Anime',
  manga: 'Manga',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** A title card as the site draws it: link, name, "kind · year", poster (local only) or its initial. */
export function cardView(card: TitleCard) {
  return {
    href: `/title/${card.id}`,
    name: card.name,
    sub: [kindLabel(card.kind), card.year].filter(Boolean).join(' · '),
    poster: artworkSrc(card.posterArtwork, 'w342'),
    initial: initialOf(card),
  };
}

export type CardView = ReturnType<typeof cardView>;
