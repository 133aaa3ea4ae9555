/** Two creations can both run in one parse: neither in a loop, and not in different arms of one if/try. */
export function canCoexist(a: { inLoop: boolean; branch: readonly string[] }, b: { inLoop: boolean; branch: readonly string[] }): boolean {
  if (a.inLoop || b.inLoop) return false;
  const length = Math.min(a.branch.length, b.branch.length);
  for (let i = 0; i < length; i++) {
    const [statementA, armA] = a.branch[i]!.split(':');
    const [statementB, armB] = b.branch[i]!.split(':');
    if (statementA !== statementB) return true;
    if (armA !== armB) return false;
  }
  return true;
}
