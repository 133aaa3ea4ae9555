import { DeployService } from '../deploy/service';
import { credentialsFromEnv } from '../repos/envCredentials';

/**
 * The deploy service of the CLI commands: a git target pushes and fetches its history with HANGAR_TOKEN_<ENV> /
 * HANGAR_GIT_TOKEN, HANGAR_GIT_PASSWORD(_<ENV>) or HANGAR_SSH_PASSPHRASE(_<ENV>), bound to the target's URL.
 */
export function headlessDeployService(): DeployService {
  return new DeployService(undefined, (env) => (env.target.kind === 'git' ? credentialsFromEnv({ name: env.name, auth: env.target.auth ?? 'none', url: env.target.url }) : undefined));
}
