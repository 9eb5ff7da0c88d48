/** Characters XML 1.0 cannot carry at all: C0 controls but tab, LF and CR; U+FFFE and U+FFFF. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this names
const NOT_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const NOT_IN_XML_ALL = new RegExp(NOT_IN_XML.source, 'g');
const ENTITIES: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * `text` as XML character data or an attribute value (any quotes): escaped, with what XML 1.0 cannot
 * carry left out and a lone surrogate made U+FFFD, so one odd name never makes a whole document
 * unreadable (Subsonic, OPDS and VAST answers all build XML from stored text).
 */
export function escapeXml(text: string): string {
  return text
    .toWellFormed()
    .replace(NOT_IN_XML_ALL, '')
    .replace(/[<>&"']/g, (c) => ENTITIES[c]!);
}

/** Whether XML carries `text` as it is (`escapeXml` would leave nothing out nor replace anything). */
export function carriedByXml(text: string): boolean {
  return text.isWellFormed() && !NOT_IN_XML.test(text);
}
