import fs from 'node:fs';
import path from 'node:path';
import { report, type Scenario } from './lib.ts';

/** `npm run bench -- [scenario …]`: runs the named scenarios (bench/<name>.ts), or all of them. */
const dir = import.meta.dirname;
const available = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts'].includes(f) && !f.endsWith('.test.ts'))
  .map((f) => path.basename(f, '.ts'))
  .sort();
const [first, ...rest] = process.argv.slice(2);
const wanted = first ? [first] : available;
for (const name of wanted) {
  if (!available.includes(name)) {
    process.stderr.write(`unknown scenario ${name}; available: ${available.join(', ')}\n`);
    process.exit(2);
  }
  const scenario = (await import(`./${name}.ts`)) as Scenario;
  report(name, await scenario.run(first ? rest : []));
}
