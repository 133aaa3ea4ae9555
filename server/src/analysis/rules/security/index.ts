import type { Rule } from '../rule';
import { evalExec, insecureTempFile, shellFunctions } from './dangerousCalls';
import { hardcodedSecret } from './hardcodedSecret';
import { hardcodedTmp } from './hardcodedTmp';
import { highEntropyString } from './highEntropyString';
import { knownSecretFormat } from './knownSecretFormat';
import { nativeTemplates } from './nativeTemplates';
import { pipeToShell } from './pipeToShell';
import { subprocessShell } from './subprocessShell';
import { templateInjection } from './templateInjection';
import { templateParams } from './templateParams';
import { tlsVerifyDisabled } from './tlsVerifyDisabled';
import { unsafeDeserialization } from './unsafeDeserialization';
import { uriCredentials } from './uriCredentials';

/** The security family, HGR301..HGR399, in id order. */
export const securityRules: Rule[] = [
  hardcodedSecret,
  knownSecretFormat,
  highEntropyString,
  uriCredentials,
  templateInjection,
  subprocessShell,
  shellFunctions,
  evalExec,
  unsafeDeserialization,
  tlsVerifyDisabled,
  pipeToShell,
  nativeTemplates,
  insecureTempFile,
  hardcodedTmp,
  templateParams,
];
