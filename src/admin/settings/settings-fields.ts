import { type RuntimeSettingKey, type RuntimeSettings } from '../../core/settings/runtime-settings.js';
import { type SettingsFormDto } from '../dto/settings-form.dto.js';

const MIB = 1024 * 1024;

interface SettingField {
  /** The form field (`SettingsFormDto`). */
  name: Exclude<keyof SettingsFormDto, '_csrf'>;
  key: RuntimeSettingKey;
  label: string;
  env: string;
  unit: 'MiB' | 'seconds' | 'tasks';
  /** Stored value (bytes, seconds) per form unit. */
  scale: number;
  help: string;
}

/** The Settings form, field by field: which setting, its env variable, and the unit admins type. */
export const SETTING_FIELDS: readonly SettingField[] = [
  {
    name: 'maxFileSizeMiB',
    key: 'maxFileBytes',
    label: 'Max file size',
    env: 'INGEST_MAX_FILE_SIZE',
    unit: 'MiB',
    scale: MIB,
    help: 'Downloads larger than this are refused.',
  },
  {
    name: 'maxActivePerUser',
    key: 'maxActivePerUser',
    label: 'Active tasks per user',
    env: 'INGEST_MAX_ACTIVE_PER_USER',
    unit: 'tasks',
    scale: 1,
    help: 'Unfinished tasks one user may have; further submissions get 429.',
  },
  {
    name: 'dailyQuotaMiB',
    key: 'maxBytesPerDay',
    label: 'Daily download quota',
    env: 'INGEST_MAX_BYTES_PER_DAY',
    unit: 'MiB',
    scale: MIB,
    help: 'Per non-admin user per UTC day; 0 = no quota.',
  },
  {
    name: 'minFreeDiskMiB',
    key: 'minFreeDiskBytes',
    label: 'Minimum free disk',
    env: 'INGEST_MIN_FREE_DISK',
    unit: 'MiB',
    scale: MIB,
    help: 'Workers keep this much disk free.',
  },
  {
    name: 'statusIntervalSeconds',
    key: 'botStatusIntervalSeconds',
    label: 'Bot status interval',
    env: 'STATUS_INTERVAL',
    unit: 'seconds',
    scale: 1,
    help: 'How often the bot edits its status messages.',
  },
  {
    name: 'signedUrlTtlSeconds',
    key: 'signedUrlTtlSeconds',
    label: 'Signed link lifetime',
    env: 'SIGNED_URL_TTL',
    unit: 'seconds',
    scale: 1,
    help: 'Validity of new stream and watch links.',
  },
];

/** Form values → overrides to store (`null` = remove the override). */
export function overridesFromForm(form: SettingsFormDto): Partial<Record<RuntimeSettingKey, number | null>> {
  return Object.fromEntries(
    SETTING_FIELDS.map((field) => {
      const value = form[field.name];
      return [field.key, value === undefined ? null : value * field.scale];
    }),
  );
}

/** Rows for the page: default, override and effective value, each in the form's unit. */
export function settingRows(
  defaults: RuntimeSettings,
  overrides: Partial<RuntimeSettings>,
  errors: Record<string, string>,
  submitted?: Record<string, unknown>,
) {
  return SETTING_FIELDS.map((field) => {
    const override = overrides[field.key];
    const inForm = override === undefined ? '' : String(override / field.scale);
    return {
      ...field,
      default: String(defaults[field.key] / field.scale),
      value: submitted ? String(submitted[field.name] ?? '') : inForm,
      overridden: override !== undefined,
      effective: String((override ?? defaults[field.key]) / field.scale),
      error: errors[field.name],
    };
  });
}
