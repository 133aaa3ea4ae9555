// The `hangar` executable (dist/cli/hangar.js). `hangar check` runs from a bundle of that command alone; the other
// commands from the whole CLI's bundle (main.ts), which is several times larger: reading and compiling it would cost
// a check of cached files about a fifth of its time.
import { createRequire } from 'node:module';
import path from 'node:path';

createRequire(__filename)(path.join(__dirname, process.argv[2] === 'check' ? 'hangarCheck.js' : 'hangarAll.js'));
