import { invalidAssetUri } from './importErrors/assetUri';
import { catchupWithoutStartDate } from './importErrors/catchupWithoutStartDate';
import { dependencyCycle } from './importErrors/dependencyCycle';
import { invalidArgumentValue, invalidExpandArgument, missingRequiredArgument, unknownArgument } from './importErrors/argumentChecks';
import { chainLengthMismatch, crossDagDependency, undefinedDependencyName } from './importErrors/dependencyNames';
import { duplicateDagId } from './importErrors/duplicateDagId';
import { duplicateTaskId } from './importErrors/duplicateTaskId';
import { fileNotAnalyzed } from './importErrors/fileNotAnalyzed';
import { invalidCron } from './importErrors/invalidCron';
import { invalidDagId, invalidGroupId, invalidTaskId } from './importErrors/invalidIds';
import { missingTaskId } from './importErrors/missingTaskId';
import { syntaxError } from './importErrors/syntaxError';
import { unknownTriggerRule } from './importErrors/triggerRule';
import { removedDagArgument, removedOperatorArgument, slaRemoved } from './airflow3/arguments';
import { removedContextKey } from './airflow3/contextKeys';
import { removedApiInHelper } from './airflow3/helperModules';
import { airflowContrib, daysAgo, deprecatedImport, removedImport, subdagOperator } from './airflow3/imports';
import { bashScriptTrailingSpace, dagNeverCalled, missingSchedule, runtimeDagArgument, taskOutsideDag } from './practice/dagShape';
import { parseTimeConnection, parseTimeNetwork, parseTimeSleep, parseTimeVariable } from './practice/parseTime';
import type { Rule, RuleFamily } from './rule';
import { securityRules } from './security';

/** THE list of rules: the engine, the CLI, SARIF metadata, hover docs and the README table all read it. */
export const catalog: readonly Rule[] = [
  syntaxError,
  invalidDagId,
  invalidTaskId,
  invalidGroupId,
  duplicateTaskId,
  duplicateDagId,
  dependencyCycle,
  unknownTriggerRule,
  invalidCron,
  missingTaskId,
  catchupWithoutStartDate,
  undefinedDependencyName,
  crossDagDependency,
  fileNotAnalyzed,
  unknownArgument,
  missingRequiredArgument,
  invalidExpandArgument,
  invalidArgumentValue,
  chainLengthMismatch,
  invalidAssetUri,
  removedDagArgument,
  removedOperatorArgument,
  slaRemoved,
  daysAgo,
  airflowContrib,
  subdagOperator,
  removedContextKey,
  removedImport,
  deprecatedImport,
  removedApiInHelper,
  dagNeverCalled,
  taskOutsideDag,
  runtimeDagArgument,
  parseTimeVariable,
  parseTimeConnection,
  parseTimeNetwork,
  parseTimeSleep,
  bashScriptTrailingSpace,
  missingSchedule,
  ...securityRules,
];

const byId = new Map(catalog.map((rule) => [rule.id, rule]));
const byName = new Map(catalog.map((rule) => [rule.name, rule]));

/** A rule by id (`HGR005`) or name (`duplicate-task-id`). */
export function ruleById(idOrName: string): Rule | undefined {
  return byId.get(idOrName.toUpperCase()) ?? byName.get(idOrName);
}

export const FAMILY_TITLES: Record<RuleFamily, string> = {
  'import-error': 'Errors Airflow raises at import',
  airflow3: 'Airflow 3 migration',
  practice: 'Best practice and correctness',
  security: 'Security',
};
