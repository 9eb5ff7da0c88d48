/**
 * A name or label people read in lists: no control characters (a NUL reached the panel's HTML), no
 * lone surrogates (stored as U+FFFD), no format characters alone, and at least one visible character
 * (a zero-width space looked blank).
 */
export const VISIBLE_TEXT = /^(?=.*[^\s\p{Cf}])[^\p{Cc}\p{Cs}]*$/su;
