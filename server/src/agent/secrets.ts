import { readFileSync } from 'node:fs';

/** Shared secrets of the agent: from environment variables, or files they name; never from argv. */
export interface AgentSecrets {
  readonly githubWebhookSecret?: string;
  readonly gitlabWebhookToken?: string;
  readonly hookToken?: string;
  readonly githubApiToken?: string;
  readonly gitlabApiToken?: string;
}

/** `NAME` or the contents of the file `NAME_FILE` (trailing newline dropped), as systemd credentials provide them. */
function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '') || undefined;
    } catch (error) {
      throw new Error(`${name}_FILE names ${file}, which cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return env[name] || undefined;
}

export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): AgentSecrets {
  const values = {
    githubWebhookSecret: secret(env, 'HANGAR_GITHUB_WEBHOOK_SECRET'),
    gitlabWebhookToken: secret(env, 'HANGAR_GITLAB_WEBHOOK_TOKEN'),
    hookToken: secret(env, 'HANGAR_HOOK_TOKEN'),
    githubApiToken: secret(env, 'HANGAR_GITHUB_API_TOKEN'),
    gitlabApiToken: secret(env, 'HANGAR_GITLAB_API_TOKEN'),
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as AgentSecrets;
}
