import { type MediaFile } from '../../library/schemas/media-file.schema.js';

export interface FileObject {
  ref: string;
  size: number;
  /** What the object is to its file: "part 1", "screenshot 2", "sample", "subtitles #3". */
  role: string;
}

/** Every stored object a library file points at. */
export function objectsOf(file: MediaFile): FileObject[] {
  return [
    ...file.storage.parts.map((part, i) => ({ ...part, role: `part ${i + 1}` })),
    ...file.screenshots.map((shot, i) => ({ ...shot, role: `screenshot ${i + 1}` })),
    ...(file.sample ? [{ ...file.sample, role: 'sample' }] : []),
    ...file.streams.subtitles.flatMap((track, position) => [
      ...(track.vtt ? [{ ...track.vtt, role: `subtitles #${position}` }] : []),
      ...(track.external ? [{ ...track.external.part, role: `subtitle file #${position}` }] : []),
    ]),
  ];
}
