import { type ComicSeries } from '../chapters/chapter.schema.js';

export type SeriesChapter = ComicSeries['chapters'][number];

/** How a chapter is named to readers: "Vol. 1 · Ch. 2.5", or its title when it has no numbers. */
export function chapterLabel(chapter: { volume?: number; number?: number; title?: string }): string {
  const parts = [
    chapter.volume !== undefined ? `Vol. ${chapter.volume}` : undefined,
    chapter.number !== undefined ? `Ch. ${chapter.number}` : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join(' · ') : (chapter.title ?? 'Chapter');
}

/** The chapters before and after `chapterId` in the series' reading order (the list is kept sorted). */
export function chapterNeighbours(
  chapters: readonly SeriesChapter[],
  chapterId: string,
): { previous?: SeriesChapter; next?: SeriesChapter } {
  const index = chapters.findIndex((chapter) => chapter.id === chapterId);
  if (index < 0) return {};
  return { previous: chapters[index - 1], next: chapters[index + 1] };
}

/** The series' chapters grouped by volume, in reading order (chapters without a volume last). */
export function chaptersByVolume(
  chapters: readonly SeriesChapter[],
): { volume?: number; chapters: SeriesChapter[] }[] {
  const groups: { volume?: number; chapters: SeriesChapter[] }[] = [];
  for (const chapter of chapters) {
    const last = groups.at(-1);
    if (last && last.volume === chapter.volume) last.chapters.push(chapter);
    else groups.push({ volume: chapter.volume, chapters: [chapter] });
  }
  return groups;
}
