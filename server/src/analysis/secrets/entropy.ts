/** Shannon entropy in bits per character, over the characters of `value`. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/=_-]+$/;
const DIGIT = /[0-9]/;
const LETTER = /[A-Za-z]/;

/** detect-secrets' limits (HexHighEntropyString 3.0, Base64HighEntropyString 4.5). */
const HEX_LIMIT = 3.0;
const BASE64_LIMIT = 4.5;
export const MIN_RANDOM_LENGTH = 20;
export const MAX_RANDOM_LENGTH = 512;

/**
 * True for a token that looks randomly generated: hex of 32+ characters above 3.0 bits per character,
 * or base64/base64url above 4.5. Tokens must mix letters and digits, which rules out long identifiers.
 */
export function isHighEntropyToken(token: string): boolean {
  if (token.length < MIN_RANDOM_LENGTH || token.length > MAX_RANDOM_LENGTH) return false;
  if (!DIGIT.test(token) || !LETTER.test(token) || hasAlphabetRun(token)) return false;
  if (HEX.test(token)) return token.length >= 32 && shannonEntropy(token) > HEX_LIMIT;
  return BASE64.test(token) && shannonEntropy(token) > BASE64_LIMIT;
}

/** Six characters in code-point order (`abcdef`, `234567`): an alphabet or a sequence written by hand, not random output. */
function hasAlphabetRun(token: string): boolean {
  let run = 1;
  for (let i = 1; i < token.length; i++) {
    run = token.charCodeAt(i) === token.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run >= 6) return true;
  }
  return false;
}
