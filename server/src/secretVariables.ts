/**
 * Environment variables that hold a secret Hangar reads (CLI and agent): Git tokens, passwords and passphrases,
 * Airflow credentials, the marketplace token, webhook secrets and host API tokens, with or without a
 * `_<NAME>` suffix. Only the code that needs one reads it; no process Hangar starts (git, Python, pip)
 * inherits them — DAG code run by `hangar test` must not find the deploy token in its environment.
 */
const SECRET_VARIABLE =
  /^HANGAR_(TOKEN|GIT_(TOKEN|PASSWORD|USERNAME)|SSH_PASSPHRASE|AIRFLOW_(USERNAME|PASSWORD|TOKEN)|MARKET_TOKEN|HOOK_TOKEN|(GITHUB|GITLAB)_(WEBHOOK_SECRET|WEBHOOK_TOKEN|API_TOKEN))(_|$)/i;

export function isSecretVariable(name: string): boolean {
  return SECRET_VARIABLE.test(name);
}

/** `env` without Hangar's secret variables: the environment of a child process. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isSecretVariable(name)));
}
