import type { Fix } from '../../findings';
import { keywordArguments, plainString, positionalArguments, rangeOf } from '../../model/syntax';
import type { Node } from '../../parser';
import { allTasks, py } from '../helpers';
import type { Rule, RuleContext } from '../rule';
import { parseTimeCalls } from './calls';

const WHY = 'Airflow re-parses DAG files every few seconds to minutes, so this runs on every parse (slow parses, load on the backend, DAGs timing out).';

/** Operator arguments Airflow renders as Jinja templates (template_fields of the common operators). */
const TEMPLATED_FIELDS: Record<string, readonly string[]> = {
  BashOperator: ['bash_command', 'env', 'cwd'],
  PythonOperator: ['templates_dict', 'op_args', 'op_kwargs'],
  EmailOperator: ['to', 'subject', 'html_content', 'files', 'cc', 'bcc'],
  SQLExecuteQueryOperator: ['sql', 'parameters', 'conn_id'],
  TriggerDagRunOperator: ['trigger_dag_id', 'trigger_run_id', 'conf', 'logical_date'],
  KubernetesPodOperator: ['image', 'cmds', 'arguments', 'env_vars'],
  HttpOperator: ['endpoint', 'data', 'headers'],
  SimpleHttpOperator: ['endpoint', 'data', 'headers'],
};

function variableGetFix(context: RuleContext, call: Node): Fix | undefined {
  const keyword = call.parent;
  if (keyword?.type !== 'keyword_argument') return undefined;
  const field = keyword.childForFieldName('name')?.text ?? '';
  const task = allTasks(context).find((t) => t.args.get(field)?.id === call.id);
  if (!task || !TEMPLATED_FIELDS[task.operator]?.includes(field)) return undefined;
  const args = positionalArguments(call);
  if (args.length !== 1 || keywordArguments(call, context.source).size > 0) return undefined;
  const key = plainString(args[0]!);
  if (key === undefined || /["'{}\\]/.test(key)) return undefined;
  const expression = /^[A-Za-z_]\w*$/.test(key) ? `var.value.${key}` : `var.value.get('${key}')`;
  return { title: `Read the Variable when the task runs: "{{ ${expression} }}"`, edits: [{ range: rangeOf(call), newText: `"{{ ${expression} }}"` }] };
}

export const parseTimeVariable: Rule = {
  id: 'HGR204',
  name: 'parse-time-variable',
  title: 'Variable.get at parse time',
  family: 'practice',
  severity: 'warning',
  safeFix: true,
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/best-practices.html#airflow-variables',
  doc: `\`Variable.get()\` outside a task runs on every parse of the file and queries the metadata database or secrets
backend each time. ${WHY} Read it inside the task, or let Airflow render it: when the value feeds a templated operator
argument the fix replaces the call with \`"{{ var.value.key }}"\`.

**Bad**
${py('BashOperator(task_id="sync", bash_command=Variable.get("sync_cmd"))')}

**Good**
${py('BashOperator(task_id="sync", bash_command="{{ var.value.sync_cmd }}")')}`,
  check(context) {
    for (const { call } of parseTimeCalls(context, /Variable/, /^airflow\.(?:[\w.]+\.)?Variable\.get$|^Variable\.get$/)) {
      context.report(call, 'Variable.get() runs every time Airflow parses this file; read it inside a task or use "{{ var.value.<key> }}".', variableGetFix(context, call));
    }
  },
};

export const parseTimeConnection: Rule = {
  id: 'HGR205',
  name: 'parse-time-connection',
  title: 'Connection look-up at parse time',
  family: 'practice',
  severity: 'warning',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/best-practices.html#top-level-python-code',
  doc: `Looking up a connection (\`BaseHook.get_connection\`, \`Connection.get\`) or opening a hook's connection
(\`hook.get_conn()\`, \`get_records\`, \`get_pandas_df\`) outside a task. ${WHY}

**Bad**
${py('conn = BaseHook.get_connection("warehouse")\nBashOperator(task_id="load", bash_command=f"load --host {conn.host}")')}

**Good**
${py('BashOperator(task_id="load", bash_command="load --host {{ conn.warehouse.host }}")')}`,
  check(context) {
    const pattern = /(?:^|\.)(?:BaseHook|Connection)\.(?:get_connection|get|get_connection_from_secrets)$|\.(?:get_conn|get_records|get_first|get_pandas_df|get_df|run)$/;
    for (const { call, name } of parseTimeCalls(context, /get_conn|Connection|get_records|get_first|get_pandas_df|get_df|Hook/, pattern)) {
      if (/\.run$/.test(name) && !/Hook/.test(name)) continue;
      context.report(call, `${name.split('.').slice(-2).join('.')}() runs every time Airflow parses this file; move it into a task or use "{{ conn.<conn_id>.<field> }}".`);
    }
  },
};

const NETWORK = /^(?:requests|httpx)\.(?:get|post|put|patch|delete|head|options|request|stream)$|^urllib\.request\.urlopen$|^(?:psycopg2|psycopg|pymysql|MySQLdb|pyodbc|cx_Oracle|oracledb|pymssql|snowflake\.connector|mysql\.connector|trino\.dbapi|vertica_python|teradatasql)\.connect$|^sqlalchemy\.create_engine$|^pymongo\.MongoClient$|^socket\.create_connection$|^boto3\.(?:client|resource)$|^smtplib\.SMTP(?:_SSL)?$|^ftplib\.FTP$|^paramiko\.SSHClient$/;

export const parseTimeNetwork: Rule = {
  id: 'HGR206',
  name: 'parse-time-network',
  title: 'Network or database call at parse time',
  family: 'practice',
  severity: 'warning',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/best-practices.html#top-level-python-code',
  doc: `HTTP requests (\`requests\`, \`httpx\`, \`urlopen\`), database connections (\`psycopg2.connect\`, \`create_engine\`, ...)
and cloud clients created outside a task. ${WHY} A slow or failing service then breaks DAG parsing.

**Bad**
${py('TABLES = requests.get("https://config.internal/tables").json()')}

**Good**
${py('@task\ndef list_tables():\n    return requests.get("https://config.internal/tables", timeout=10).json()')}`,
  check(context) {
    for (const { call, name } of parseTimeCalls(context, /requests|httpx|urlopen|connect|create_engine|MongoClient|boto3|SMTP|FTP|SSHClient/, NETWORK)) {
      context.report(call, `${name}() runs every time Airflow parses this file; move it into a task.`);
    }
  },
};

export const parseTimeSleep: Rule = {
  id: 'HGR207',
  name: 'parse-time-sleep',
  title: 'sleep at parse time',
  family: 'practice',
  severity: 'warning',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/best-practices.html#top-level-python-code',
  doc: `\`time.sleep()\` outside a task delays every parse of the file and can make the DAG processor time out
(\`dagbag_import_timeout\`). Wait inside a task, or use a sensor or a deferrable operator.

**Bad**
${py('time.sleep(30)  # wait for the export')}

**Good**
${py('wait = TimeDeltaSensor(task_id="wait", delta=timedelta(seconds=30), mode="reschedule")')}`,
  check(context) {
    for (const { call } of parseTimeCalls(context, /sleep/, /^time\.sleep$/)) {
      context.report(call, 'time.sleep() runs every time Airflow parses this file; wait inside a task or with a sensor.');
    }
  },
};
