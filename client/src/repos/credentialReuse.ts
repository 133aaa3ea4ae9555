import { describeBinding } from '../../../server/src/git/credentials';
import { scrub } from '../../../server/src/git/errors';
import { remoteOrigin } from '../../../server/src/git/remote';
import type { Prompts } from '../prompts';
import { secretKind, type CredentialLookup, type CredentialTarget } from './credentials';

export type ReuseChoice = 'use' | 'new' | undefined;

/**
 * Asks before a stored secret goes to a remote it was not entered for: the configuration now names another URL
 * for the repository (or its host changed scheme), or the secret was stored by Hangar 0.1.0, which recorded no
 * remote. "Use for …" binds it to the new remote; "Enter New" asks for another secret; anything else cancels.
 */
export function askBeforeReuse(prompts: Prompts, target: CredentialTarget, found: Extract<CredentialLookup, { state: 'elsewhere' | 'unbound' }>): Promise<ReuseChoice> {
  const what = secretKind(target.auth);
  const url = scrub(target.url);
  const title =
    found.state === 'elsewhere' && found.secret.boundTo
      ? `The ${what} for ${target.name} was entered for ${describeBinding(found.secret.boundTo)}; the configuration now says ${url}`
      : `The ${what} for ${target.name} was stored by an earlier Hangar without the server it was entered for; the configuration says ${url}`;
  const destination = found.scope.kind === 'host' ? remoteOrigin(target.url) : url;
  return prompts.pick<ReuseChoice>(
    title,
    [
      { label: `Use for ${destination}`, description: 'send the stored secret to this server from now on', value: 'use' },
      { label: 'Enter New', description: `type the ${what} for this server`, value: 'new' },
      { label: 'Cancel', value: undefined },
    ],
    'Hangar sends a secret only to the server it was entered for',
  );
}
