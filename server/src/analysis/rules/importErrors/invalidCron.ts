import { plainString } from '../../model/syntax';
import { dagErrorAt, py } from '../helpers';
import type { Rule } from '../rule';
import { cronProblem } from './cron';

export const invalidCron: Rule = {
  id: 'HGR009',
  name: 'invalid-cron',
  title: 'Invalid cron expression or schedule preset',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/authoring-and-scheduling/cron.html',
  doc: `A string \`schedule\` must be a preset (\`@daily\`, \`@hourly\`, \`@once\`, \`@continuous\`, ...) or a cron expression
croniter accepts; Airflow raises \`AirflowTimetableInvalid\` otherwise. Timedeltas, timetables and assets are not
checked here.

**Bad**
${py('with DAG("report", schedule="0 25 * * *"): ...')}

**Good**
${py('with DAG("report", schedule="0 5 * * *"): ...')}`,
  check(context) {
    for (const dag of context.model.dags) {
      for (const name of ['schedule', 'schedule_interval']) {
        const value = dag.args.get(name);
        const text = value ? plainString(value) : undefined;
        if (value === undefined || text === undefined) continue;
        const problem = cronProblem(text);
        if (problem) context.report(dagErrorAt(dag, value), `Invalid schedule ${JSON.stringify(text)}: ${problem}.`);
      }
    }
  },
};
