// `hangar check` alone (dist/cli/hangarCheck.js): the bundle that command runs from (see hangar.ts).
import { registerCheck } from './check';
import { runHangar } from './program';

runHangar([['check', async () => registerCheck]]);
