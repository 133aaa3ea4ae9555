import { isPlaceholder, isTemplatedOrFormatted } from './values';

export interface UriPassword {
  /** Offsets of the password inside the text searched. */
  readonly start: number;
  readonly end: number;
  readonly scheme: string;
}

/** `scheme://user:password@` starting at the `://` found at `index`; classes exclude the delimiters, so no backtracking blow-up. */
const AUTHORITY = /:\/\/([^\s:/@'"]{0,128}):([^\s@'"/]{1,256})@/y;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;

/** A password written in clear inside a URI whose `://` is at `index`; templated or placeholder passwords are not. */
export function uriPasswordAt(text: string, index: number): UriPassword | undefined {
  AUTHORITY.lastIndex = index;
  const match = AUTHORITY.exec(text);
  if (!match) return undefined;
  const password = match[2]!;
  if (isTemplatedOrFormatted(password) || isPlaceholder(password) || password.includes('{') || password.includes('$')) return undefined;
  let schemeStart = index;
  while (schemeStart > 0 && index - schemeStart < 32 && SCHEME_CHAR.test(text[schemeStart - 1]!)) schemeStart--;
  if (schemeStart === index) return undefined;
  const start = index + 3 + match[1]!.length + 1;
  return { start, end: start + password.length, scheme: text.slice(schemeStart, index) };
}
