import type { PythonEnvironment } from '../pyenv/environment';

/** Provider namespaces whose package name has two parts: `airflow.providers.cncf.kubernetes`. */
const TWO_PART_PROVIDERS = new Set(['apache', 'atlassian', 'cncf', 'common', 'dbt', 'microsoft']);

/** Import names that differ from their distribution, for packages not installed (so the environment cannot say). */
const KNOWN: Record<string, string> = {
  yaml: 'pyyaml',
  sklearn: 'scikit-learn',
  bs4: 'beautifulsoup4',
  PIL: 'pillow',
  dateutil: 'python-dateutil',
  jwt: 'pyjwt',
  dotenv: 'python-dotenv',
  attr: 'attrs',
  Crypto: 'pycryptodome',
  cv2: 'opencv-python',
  kafka: 'kafka-python',
  MySQLdb: 'mysqlclient',
  google: 'google-cloud-core',
  snowflake: 'snowflake-connector-python',
  airflow: 'apache-airflow',
};

/** `airflow.providers.amazon.aws.hooks.s3` → `apache-airflow-providers-amazon`. */
export function providerDistribution(module: string): string | undefined {
  const parts = module.split('.');
  if (parts[0] !== 'airflow' || parts[1] !== 'providers' || !parts[2]) return undefined;
  const name = TWO_PART_PROVIDERS.has(parts[2]) && parts[3] ? `${parts[2]}-${parts[3]}` : parts[2];
  return `apache-airflow-providers-${name.replace(/_/g, '-')}`;
}

/**
 * The distributions that can satisfy an import, or `[]` when nothing needs installing (standard library,
 * `__future__`). Airflow's providers map by name; other modules through the environment's own metadata,
 * then a short table of well-known mismatches, then the module name itself.
 */
export function distributionsFor(module: string, env: PythonEnvironment): string[] {
  const top = module.split('.')[0]!;
  if (!top || top === '__future__' || env.stdlib.has(top)) return [];
  const provider = providerDistribution(module);
  if (provider) return [provider];
  if (top === 'airflow') return ['apache-airflow', 'apache-airflow-core', 'apache-airflow-task-sdk'];
  const installed = env.modules.get(top);
  if (installed?.length) return [...installed];
  const known = KNOWN[top];
  if (top === 'psycopg2') return ['psycopg2-binary', 'psycopg2'];
  return [known ?? top.toLowerCase().replace(/_/g, '-')];
}
