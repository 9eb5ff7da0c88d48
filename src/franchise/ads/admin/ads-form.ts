import { AD_SLOT_NAMES, type AdSlotName, type AdsSettings } from '../dto/ads-settings.dto.js';

/** The panel form's flat fields (strings, checkboxes present when ticked). */
type AdsForm = Record<string, string | undefined>;

/**
 * The posted body's text fields. A name sent twice arrives as an array, which the panel's form never
 * sends (and a crafted body can hold anything): such a field counts as not filled in.
 */
function textFields(body: unknown): AdsForm {
  const form: AdsForm = {};
  if (typeof body !== 'object' || body === null) return form;
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') form[name] = value;
  return form;
}

const lines = (value: string | undefined) =>
  (value ?? '')
    .split(/[\r\n,]+/)
    .map((line) => line.trim())
    .filter(Boolean);

const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** A whole number as typed, or the text itself, so validation names what was wrong. */
const integer = (value: string | undefined): unknown =>
  value?.trim() && /^\d+$/.test(value.trim()) ? Number(value.trim()) : (value ?? '');

export const SLOT_LABELS: Readonly<Record<AdSlotName, string>> = {
  header: 'Under the header',
  sidebar: 'Beside the content',
  underPlayer: 'Under the player',
};

/** The form as the plain object the `AdsSettings` DTO validates (unfilled optional parts left out). */
export function settingsFromForm(body: unknown): Record<string, unknown> {
  const form = textFields(body);
  const slots: Record<string, unknown> = {};
  for (const name of AD_SLOT_NAMES) {
    const kind = form[`slot.${name}.kind`];
    if (kind !== 'html' && kind !== 'image') continue;
    slots[name] = {
      kind,
      html: kind === 'html' ? optional(form[`slot.${name}.html`]) : undefined,
      imageUrl: kind === 'image' ? optional(form[`slot.${name}.imageUrl`]) : undefined,
      linkUrl: kind === 'image' ? optional(form[`slot.${name}.linkUrl`]) : undefined,
      alt: kind === 'image' ? optional(form[`slot.${name}.alt`]) : undefined,
    };
  }
  const houseFile = optional(form['houseAd.fileId']);
  const shortenerTemplate = optional(form['shortener.urlTemplate']);
  return {
    enabled: form.enabled === 'on',
    vastTagUrl: optional(form.vastTagUrl),
    preroll: form.preroll === 'on',
    midrollOffsets: lines(form.midrollOffsets).map((offset) => integer(offset)),
    skipOffsetSeconds: integer(form.skipOffsetSeconds),
    frequencyCapMinutes: integer(form.frequencyCapMinutes),
    houseAd: houseFile
      ? {
          fileId: houseFile,
          clickThrough: form['houseAd.clickThrough'] ?? '',
          title: optional(form['houseAd.title']),
        }
      : undefined,
    slots: Object.keys(slots).length > 0 ? slots : undefined,
    allowedHosts: lines(form.allowedHosts),
    shortener: shortenerTemplate
      ? {
          enabled: form['shortener.enabled'] === 'on',
          urlTemplate: shortenerTemplate,
          apiKey: optional(form['shortener.apiKey']),
          resultField: optional(form['shortener.resultField']),
        }
      : undefined,
  };
}

/** The settings as the form shows them. */
export function formFromSettings(settings: AdsSettings) {
  return {
    enabled: settings.enabled,
    vastTagUrl: settings.vastTagUrl ?? '',
    preroll: settings.preroll,
    midrollOffsets: settings.midrollOffsets.join(', '),
    skipOffsetSeconds: settings.skipOffsetSeconds,
    frequencyCapMinutes: settings.frequencyCapMinutes,
    houseAd: settings.houseAd ?? {},
    allowedHosts: settings.allowedHosts.join('\n'),
    shortener: settings.shortener ?? { enabled: false },
    slots: AD_SLOT_NAMES.map((name) => {
      const slot = settings.slots?.[name];
      return {
        name,
        label: SLOT_LABELS[name],
        none: !slot,
        html: slot?.kind === 'html',
        image: slot?.kind === 'image',
        value: slot ?? {},
      };
    }),
  };
}
