/**
 * The essence of a media type (`type/subtype`), lowercased, parameters such as `charset` dropped.
 *
 * @example
 * mediaTypeEssence('Application/JSON; charset=utf-8'); // 'application/json'
 */
export function mediaTypeEssence(value: string): string {
  return value.split(';')[0]!.trim().toLowerCase();
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);

/** True when `value` is a syntactically valid `type/subtype` (no parameters). */
export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value);
}
