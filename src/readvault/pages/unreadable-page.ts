import { AppError } from '../../core/errors/app-error.js';

/** A stored page that cannot be decoded (damaged in the source): 422, the chapter's other pages still read. */
export class UnreadablePageError extends AppError {
  constructor(
    readonly page: number,
    reason: string,
  ) {
    super(422, 'unprocessable_page', `Page ${page} cannot be decoded: ${reason}`);
  }
}

/**
 * What an image element gets instead of a page it cannot show (with the 422): a plain picture that
 * says so, in the reader's colours, rather than a broken-image icon. No scripts, no external parts.
 */
export function unreadablePagePlaceholder(page: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="850" viewBox="0 0 600 850">
<rect width="600" height="850" fill="#1a1f26"/>
<rect x="40" y="40" width="520" height="770" fill="none" stroke="#ff8a8a" stroke-width="4" stroke-dasharray="16 12"/>
<text x="300" y="400" fill="#e8eaed" font-family="sans-serif" font-size="36" text-anchor="middle">Page ${page} cannot be shown</text>
<text x="300" y="450" fill="#a4adb8" font-family="sans-serif" font-size="24" text-anchor="middle">It is damaged in the source file.</text>
</svg>`;
}
