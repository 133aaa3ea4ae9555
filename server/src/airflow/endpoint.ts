import type { AirflowEndpoint } from '../deploy/types';
import { AirflowClient, type AirflowCredentials } from './client';

/** The client of an environment's Airflow: its token command when it has one (auth: command), else `credentials`. */
export function airflowClient(endpoint: AirflowEndpoint, credentials: AirflowCredentials): AirflowClient {
  return new AirflowClient(endpoint.url, endpoint.version, endpoint.tokenCommand ? { command: endpoint.tokenCommand } : credentials);
}
