// Typed access to generated data: scripts/gen-airflow-signatures.py writes airflowSignatures.json from an installed
// Airflow (its version is recorded in the file); esbuild bundles the JSON.
import signatures from './airflowSignatures.json';

export interface OperatorSignature {
  /** Its own keyword arguments (BaseOperator's are accepted as well). */
  readonly params: readonly string[];
  /** Arguments without a default, besides task_id. */
  readonly required: readonly string[];
  /** Rejects keyword arguments outside params + BaseOperator's. */
  readonly closed: boolean;
}

/** Keyword arguments `DAG(...)` accepts. */
export const DAG_PARAMETERS: readonly string[] = signatures.dagParameters;

/** Keyword arguments every operator accepts (BaseOperator). */
export const BASE_OPERATOR_PARAMETERS: readonly string[] = signatures.baseOperatorParameters;

/** Airflow's own operators and sensors, by fully qualified class name. */
export const OPERATOR_SIGNATURES: Readonly<Record<string, OperatorSignature>> = signatures.operators;
