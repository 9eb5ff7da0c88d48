import sharp from 'sharp';

/** A page image: a colour field with a stripe, so every page has its own bytes. */
export async function pageImage(
  width: number,
  height: number,
  shade: number,
  format: 'jpeg' | 'png',
): Promise<Buffer> {
  const image = sharp({
    create: { width, height, channels: 3, background: { r: shade, g: 255 - shade, b: (shade * 7) % 256 } },
  }).composite([
    {
      input: {
        create: { width: Math.max(1, width >> 3), height, channels: 3, background: { r: 0, g: 0, b: 0 } },
      },
      left: (shade * 13) % Math.max(1, width - (width >> 3)),
      top: 0,
    },
  ]);
  return format === 'jpeg' ? image.jpeg({ quality: 80 }).toBuffer() : image.png().toBuffer();
}

/** ComicInfo.xml for a chapter (`Manga=YesAndRightToLeft` when `rightToLeft`). */
export function comicInfo(fields: {
  series: string;
  number: number;
  volume?: number;
  title?: string;
  genres?: string[];
  rightToLeft?: boolean;
}): Buffer {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return Buffer.from(`<?xml version="1.0" encoding="utf-8"?>
<ComicInfo>
  <Series>${escape(fields.series)}</Series>
  <Number>${fields.number}</Number>
  ${fields.volume === undefined ? '' : `<Volume>${fields.volume}</Volume>`}
  ${fields.title === undefined ? '' : `<Title>${escape(fields.title)}</Title>`}
  ${fields.genres ? `<Genre>${escape(fields.genres.join(', '))}</Genre>` : ''}
  ${fields.rightToLeft ? '<Manga>YesAndRightToLeft</Manga>' : ''}
</ComicInfo>`);
}
