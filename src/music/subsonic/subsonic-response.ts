import { escapeXml } from '../../core/util/xml-text.js';
/** The Subsonic API version spoken, and what OpenSubsonic clients are told about the server. */
export const SUBSONIC_API_VERSION = '1.16.1';
export const SUBSONIC_SERVER_TYPE = 'streamvault';
export const SUBSONIC_SERVER_VERSION = '0.1.0';
const XMLNS = 'http://subsonic.org/restapi';

/** A payload value: scalars become XML attributes, objects child elements, arrays repeated elements. */
export type SubsonicValue =
  string | number | boolean | Date | undefined | null | SubsonicObject | SubsonicValue[];
export interface SubsonicObject {
  [key: string]: SubsonicValue;
}

/** Error codes of the Subsonic API (OpenSubsonic adds 41-44). */
export enum SubsonicErrorCode {
  Generic = 0,
  MissingParameter = 10,
  ClientTooOld = 20,
  ServerTooOld = 30,
  WrongCredentials = 40,
  TokenAuthNotSupported = 41,
  AuthMechanismNotSupported = 42,
  ConflictingAuth = 43,
  InvalidApiKey = 44,
  NotAuthorized = 50,
  TrialOver = 60,
  NotFound = 70,
}

/** A failure answered as `status="failed"` with its code, always with HTTP 200 (as clients expect). */
export class SubsonicError extends Error {
  constructor(
    readonly code: SubsonicErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type SubsonicFormat = 'xml' | 'json' | 'jsonp';

/** The body and content type of a response in the format the client asked for (`f`). */
export function renderSubsonic(
  format: SubsonicFormat,
  payload: SubsonicObject,
  status: 'ok' | 'failed' = 'ok',
  callback?: string,
): { body: string; type: string } {
  const head: SubsonicObject = {
    status,
    version: SUBSONIC_API_VERSION,
    type: SUBSONIC_SERVER_TYPE,
    serverVersion: SUBSONIC_SERVER_VERSION,
    openSubsonic: true,
  };
  if (format === 'xml') {
    return {
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${element('subsonic-response', { xmlns: XMLNS, ...head, ...payload })}`,
      type: 'text/xml; charset=utf-8',
    };
  }
  const json = JSON.stringify({ 'subsonic-response': plain({ ...head, ...payload }) });
  if (format === 'jsonp' && callback && /^[A-Za-z_$][\w$.]{0,63}$/.test(callback)) {
    return { body: `${callback}(${json});`, type: 'application/javascript; charset=utf-8' };
  }
  return { body: json, type: 'application/json; charset=utf-8' };
}

export function errorPayload(error: SubsonicError): SubsonicObject {
  return { error: { code: error.code, message: error.message } };
}

/** JSON: dates as ISO strings, empty values left out. */
function plain(value: SubsonicValue): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined || child === null) continue;
      out[key] = plain(child);
    }
    return out;
  }
  return value;
}

/** XML: scalars are attributes, `value` is the element's text, objects and arrays are child elements. */
function element(name: string, object: SubsonicObject): string {
  let attributes = '';
  let children = '';
  let text = '';
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null) continue;
    if (key === 'value' && !Array.isArray(value) && (typeof value !== 'object' || value instanceof Date)) {
      text = escapeXml(scalar(value));
    } else if (Array.isArray(value)) {
      for (const item of value)
        children +=
          item && typeof item === 'object' && !(item instanceof Date) && !Array.isArray(item)
            ? element(key, item)
            : `<${key}>${escapeXml(scalar(item as string))}</${key}>`;
    } else if (typeof value === 'object' && !(value instanceof Date)) {
      children += element(key, value);
    } else {
      attributes += ` ${key}="${escapeXml(scalar(value))}"`;
    }
  }
  return children || text ? `<${name}${attributes}>${text}${children}</${name}>` : `<${name}${attributes}/>`;
}

function scalar(value: string | number | boolean | Date | undefined | null): string {
  if (value instanceof Date) return value.toISOString();
  return String(value ?? '');
}
