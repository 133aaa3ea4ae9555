/**
 * `npm run bench [-- NAME ...]`: runs the registered benchmarks (all, or the ones named) one after the
 * other and prints their figures. Benchmarks print; they do not assert. The exit code is non-zero only
 * when a benchmark could not run at all.
 */
import os from 'node:os';
import { benches } from './registry';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = wanted.filter((name) => !(name in benches));
  if (unknown.length) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(benches).join(', ')}.`);
    process.exitCode = 2;
    return;
  }
  const names = wanted.length ? wanted : Object.keys(benches);
  const load = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');
  console.log(`Hangar benchmarks on ${os.cpus().length} CPU(s), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}: ${names.join(', ')}`);
  console.log(`load average before: ${load()} (figures from a busy machine are slower than the targets assume)`);
  const failed: string[] = [];
  for (const name of names) {
    const bench = (await benches[name]!()).default;
    console.log(`\n=== ${bench.name}: ${bench.description}`);
    const started = performance.now();
    try {
      await bench.run();
    } catch (error) {
      failed.push(name);
      console.error(`Benchmark ${name} could not run: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    }
    console.log(`=== ${bench.name} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`\nload average after: ${load()}`);
  if (failed.length) process.exitCode = 1;
}

void main();
