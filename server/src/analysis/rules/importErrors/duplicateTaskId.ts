import { rangeOf } from '../../model/syntax';
import type { Node } from '../../parser';
import { canCoexist } from '../../model/branches';
import { py } from '../helpers';
import type { Rule } from '../rule';

interface Entry {
  readonly id: string;
  readonly taskflow: boolean;
  readonly what: 'task' | 'task group';
  readonly node: Node;
  readonly inLoop: boolean;
  readonly branch: readonly string[];
}

export const duplicateTaskId: Rule = {
  id: 'HGR005',
  name: 'duplicate-task-id',
  title: 'Duplicate task_id in a DAG',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/tasks.html (DuplicateTaskIdFound)',
  doc: `Two tasks (or a task and a TaskGroup) of one DAG share an id, group prefix included. Airflow raises
\`DuplicateTaskIdFound\` and the DAG does not load. Ids built in loops and tasks in exclusive \`if\`/\`else\` arms are not
compared, except a literal id in a loop that runs at least twice; a TaskFlow task never clashes with an earlier task
because Airflow suffixes its id (\`__1\`), but a classic task after a TaskFlow task with the same id does.

**Bad**
${py('extract = BashOperator(task_id="extract", bash_command="a")\nload = BashOperator(task_id="extract", bash_command="b")')}

**Good**
${py('extract = BashOperator(task_id="extract", bash_command="a")\nload = BashOperator(task_id="load", bash_command="b")')}`,
  check(context) {
    for (const dag of context.model.dags) {
      const seen = new Map<string, Entry[]>();
      const entries: Entry[] = [];
      for (const task of dag.tasks) {
        const repeated = task.loopIds?.find((id, index) => task.loopIds!.indexOf(id) !== index);
        if (repeated !== undefined) {
          context.report(task.args.get('task_id') ?? task.node, `This loop creates task id ${JSON.stringify(repeated)} twice: its values repeat.`);
        }
        if (!task.taskId.known) continue;
        const at = task.args.get('task_id') ?? task.node;
        if (task.repeatedInLoop) {
          context.report(at, `Task id ${JSON.stringify(task.taskId.value)} is the same on every iteration of the loop, so the second iteration duplicates it; build the id from the loop variable (f"...{item}").`);
          continue;
        }
        entries.push({ id: task.taskId.value, taskflow: task.kind === 'taskflow', what: 'task', node: at, inLoop: task.inLoop, branch: task.branch });
      }
      for (const group of dag.groups) {
        if (group.groupId.known && group.localId.known && group.localId.value !== '') {
          entries.push({ id: group.groupId.value, taskflow: false, what: 'task group', node: group.node, inLoop: group.inLoop, branch: group.branch });
        }
      }
      entries.sort((a, b) => a.node.startIndex - b.node.startIndex);
      for (const entry of entries) {
        const previous = seen.get(entry.id) ?? [];
        // Airflow suffixes a TaskFlow task's id when it is taken (`extract__1`), so only a later classic task clashes.
        const clash = entry.taskflow ? undefined : previous.find((other) => canCoexist(other, entry));
        if (clash) {
          const line = rangeOf(clash.node).start.line + 1;
          context.report(entry.node, `${entry.what === 'task' ? 'Task' : 'TaskGroup'} id ${JSON.stringify(entry.id)} is already used by the ${clash.what} on line ${line} in DAG ${dag.dagId.known ? JSON.stringify(dag.dagId.value) : 'defined here'}.`);
        }
        seen.set(entry.id, [...previous, entry]);
      }
    }
  },
};
