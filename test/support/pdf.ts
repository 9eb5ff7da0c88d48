/** A page of a test PDF: a JPEG drawn over the whole page (its size in pixels is the page's in points). */
export interface PdfPage {
  jpeg: Buffer;
  width: number;
  height: number;
  /** The page's size in points when not the picture's (the picture is stretched over it). */
  points?: { width: number; height: number };
}

/**
 * A PDF built byte by byte, one JPEG image per page (DCTDecode, so the JPEG goes in as it is):
 * what a scanned chapter exported to PDF looks like, without a PDF library.
 */
export function makePdf(pages: PdfPage[], { encrypted = false } = {}): Buffer {
  const objects: Buffer[] = [];
  const add = (body: Buffer | string) => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const catalog = add('');
  const tree = add('');
  const kids: number[] = [];
  for (const page of pages) {
    const image = add(
      Buffer.concat([
        Buffer.from(
          `<< /Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${page.jpeg.length} >>\nstream\n`,
          'latin1',
        ),
        page.jpeg,
        Buffer.from('\nendstream', 'latin1'),
      ]),
    );
    const box = page.points ?? page;
    const draw = `q ${box.width} 0 0 ${box.height} 0 0 cm /Im0 Do Q`;
    const contents = add(`<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`);
    kids.push(
      add(
        `<< /Type /Page /Parent ${tree} 0 R /MediaBox [0 0 ${box.width} ${box.height}] /Resources << /XObject << /Im0 ${image} 0 R >> >> /Contents ${contents} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = Buffer.from(`<< /Type /Catalog /Pages ${tree} 0 R >>`, 'latin1');
  objects[tree - 1] = Buffer.from(
    `<< /Type /Pages /Kids [${kids.map((kid) => `${kid} 0 R`).join(' ')}] /Count ${kids.length} >>`,
    'latin1',
  );
  // The standard security handler with a user password: readers must know it to open the file.
  const encrypt = encrypted
    ? add(`<< /Filter /Standard /V 1 /R 2 /O <${'7a'.repeat(32)}> /U <${'5c'.repeat(32)}> /P -44 >>`)
    : 0;
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0].length;
  const offsets: number[] = [];
  for (const [index, body] of objects.entries()) {
    offsets.push(offset);
    const chunk = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`, 'latin1'),
      body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    chunks.push(chunk);
    offset += chunk.length;
  }
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n `),
    'trailer',
    encrypted
      ? `<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Encrypt ${encrypt} 0 R /ID [<${'01'.repeat(16)}> <${'01'.repeat(16)}>] >>`
      : `<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>`,
    'startxref',
    String(offset),
    '%%EOF',
    '',
  ].join('\n');
  chunks.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(chunks);
}
