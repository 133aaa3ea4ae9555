const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s`, `5m`, `1h`, `250ms`, or a number of seconds, in milliseconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a duration; write it like 30s, 5m or 1h`);
  return Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
}
