import { AirflowError, type AirflowClient } from '../airflow/client';

/** What a canary reads of a DAG (`GET /api/v2/dags/{dag_id}`). */
export interface DagState {
  readonly dag_id: string;
  readonly is_paused: boolean;
  readonly is_stale?: boolean;
  readonly timetable_summary?: string | null;
  readonly timetable_periodic?: boolean;
  readonly next_dagrun_logical_date?: string | null;
  readonly next_dagrun_run_after?: string | null;
}

/** A DAG run (`/api/v2/dags/{dag_id}/dagRuns`). */
export interface DagRunInfo {
  readonly dag_run_id: string;
  readonly dag_id: string;
  readonly logical_date?: string | null;
  readonly data_interval_start?: string | null;
  readonly run_after: string;
  readonly start_date?: string | null;
  readonly end_date?: string | null;
  readonly duration?: number | null;
  readonly state: string;
  readonly run_type: string;
}

/** A task instance (`/api/v2/dags/{dag_id}/dagRuns/~/taskInstances`). */
export interface TaskInstanceInfo {
  readonly task_id: string;
  readonly dag_run_id: string;
  readonly map_index: number;
  readonly state?: string | null;
  readonly duration?: number | null;
  readonly try_number: number;
}

const PAGE = 100;
/** Runs and task instances read per DAG at most (the newest, since the canary started). */
const MAX_ITEMS = 5_000;

/** The Airflow 3 REST calls of a canary rollout: DAG state, pause, runs, task instances, triggering. */
export class AirflowDags {
  constructor(private readonly client: AirflowClient) {}

  /** The DAG, or undefined when Airflow does not know it. */
  async dag(dagId: string): Promise<DagState | undefined> {
    return this.client.request<DagState>('GET', `/dags/${encodeURIComponent(dagId)}`).catch((error: unknown) => (error instanceof AirflowError && error.status === 404 ? undefined : Promise.reject(error)));
  }

  /** The DAG's catchup setting (`/dags/{dag_id}/details`), undefined when Airflow does not say. */
  async catchup(dagId: string): Promise<boolean | undefined> {
    return (await this.client.request<{ catchup?: boolean }>('GET', `/dags/${encodeURIComponent(dagId)}/details`)).catchup;
  }

  async setPaused(dagId: string, paused: boolean): Promise<void> {
    await this.client.request('PATCH', `/dags/${encodeURIComponent(dagId)}?update_mask=is_paused`, { is_paused: paused });
  }

  /** Runs whose `run_after` is at or after `since`, oldest first. */
  async runs(dagId: string, since: string): Promise<DagRunInfo[]> {
    return this.pages<DagRunInfo>(`/dags/${encodeURIComponent(dagId)}/dagRuns?run_after_gte=${encodeURIComponent(since)}&order_by=run_after`, 'dag_runs');
  }

  /** The newest runs (any age), newest first. */
  async recentRuns(dagId: string, count = PAGE): Promise<DagRunInfo[]> {
    const page = await this.client.request<{ dag_runs?: DagRunInfo[] }>('GET', `/dags/${encodeURIComponent(dagId)}/dagRuns?order_by=-run_after&limit=${count}`);
    return page.dag_runs ?? [];
  }

  /** Task instances of the runs whose `run_after` is at or after `since`. */
  async taskInstances(dagId: string, since: string): Promise<TaskInstanceInfo[]> {
    return this.pages<TaskInstanceInfo>(`/dags/${encodeURIComponent(dagId)}/dagRuns/~/taskInstances?run_after_gte=${encodeURIComponent(since)}&order_by=id`, 'task_instances');
  }

  /** Triggers a run now (`logical_date` names the data interval when given). */
  async trigger(dagId: string, body: { logical_date: string | null; conf?: Record<string, unknown> }): Promise<DagRunInfo> {
    return this.client.request<DagRunInfo>('POST', `/dags/${encodeURIComponent(dagId)}/dagRuns`, body);
  }

  /** Asks the DAG processor to parse the DAG's file again (Airflow then recomputes its next run). */
  async reparse(dagId: string): Promise<void> {
    const details = await this.client.dagDetails(dagId);
    if (details.file_token) await this.client.reparse(details.file_token);
  }

  private async pages<T>(path: string, key: string): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; offset < MAX_ITEMS; offset += PAGE) {
      const page = await this.client.request<Record<string, unknown>>('GET', `${path}&limit=${PAGE}&offset=${offset}`);
      const batch = (page[key] as T[] | undefined) ?? [];
      items.push(...batch);
      if (batch.length < PAGE) break;
    }
    return items;
  }
}
