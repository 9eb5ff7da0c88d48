import { type AdSlotDto } from '../dto/ads-settings.dto.js';

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The HTML of one display slot. A network snippet is the owner's own markup (their admin pasted it),
 * given as is, except that its `<script>` and `<style>` tags get the page's nonce so the CSP lets them
 * run; an image slot is built here from its (https) URLs, escaped.
 */
export function slotMarkup(slot: AdSlotDto, nonce: string): string | undefined {
  if (slot.kind === 'html') {
    if (!slot.html?.trim()) return undefined;
    return slot.html.replace(/<(script|style)\b/gi, (_match, tag: string) => `<${tag} nonce="${nonce}"`);
  }
  if (!slot.imageUrl) return undefined;
  const image = `<img src="${attribute(slot.imageUrl)}" alt="${attribute(slot.alt ?? 'Advertisement')}" loading="lazy">`;
  return slot.linkUrl
    ? `<a href="${attribute(slot.linkUrl)}" rel="sponsored noopener" target="_blank">${image}</a>`
    : image;
}
