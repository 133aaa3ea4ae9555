import { CronExpressionParser } from 'cron-parser';

/** Presets Airflow accepts in `schedule` (cron_presets plus croniter's aliases, `@once`, `@continuous`). */
export const SCHEDULE_PRESETS = new Set(['@once', '@continuous', '@hourly', '@daily', '@weekly', '@monthly', '@quarterly', '@yearly', '@annually', '@midnight']);

/**
 * Why Airflow (croniter) would reject a cron string, or undefined. Only certain problems are reported: wrong field
 * count, out-of-range values and bad steps. Syntax croniter accepts but cron-parser does not (`W`, `LW`, a 6th or
 * 7th field) is never an error here.
 */
export function cronProblem(expression: string): string | undefined {
  if (!verdicts.has(expression)) verdicts.set(expression, check(expression));
  return verdicts.get(expression);
}

/** Schedules repeat across a DAG folder; parsing each distinct expression once keeps `hangar check` fast. */
const verdicts = new Map<string, string | undefined>();

function check(expression: string): string | undefined {
  const text = expression.trim();
  if (text.startsWith('@')) return SCHEDULE_PRESETS.has(text) ? undefined : `"${text}" is not a schedule preset; use one of ${[...SCHEDULE_PRESETS].join(', ')} or a cron expression`;
  const fields = text.split(/\s+/);
  if (fields.length < 5 || fields.length > 7) return `a cron expression has 5 fields (minute hour day month weekday), this one has ${fields.length}`;
  const five = fields.slice(0, 5).join(' ');
  try {
    CronExpressionParser.parse(five, { strict: false });
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/^Constraint error/.test(message)) return message.replace(/^Constraint error, /, '');
    if (/^Invalid characters/.test(message) && !/[WL#?H]/i.test(five.replace(/[A-Z]{3}/gi, ''))) return message;
    return undefined;
  }
}
