/**
 * The longest a house ad's creative may run: VAST linear ads last 15–60 s. An ad takes none of a site's
 * concurrent-stream slots (it plays while the content preloads), so a longer "creative" — a feature
 * film set as the house ad — would be a way to stream past them.
 */
export const AD_CREATIVE_MAX_SECONDS = 120;

/** Whether `file` may play through an ad link without a stream slot: measured, and no longer than an ad. */
export function slotFreeCreative(file: { duration?: number }): boolean {
  return file.duration !== undefined && file.duration > 0 && file.duration <= AD_CREATIVE_MAX_SECONDS;
}
