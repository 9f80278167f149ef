import fs from 'node:fs';
import { Command, Option } from 'commander';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { demoAccounts, demoDistrictLoader, demoPassword, demoPasswordSyncer } from './demo/loader.ts';
import { registerDeviceSimulator } from './demo/simulator.ts';
import { verifyAuditLog } from './kernel/audit/audit.ts';
import { roles } from './kernel/auth/roles.ts';
import { randomPassword } from './kernel/auth/secrets.ts';
import { apiTokenIssuer, userCreator } from './kernel/auth/service.ts';
import { findUserByUsername } from './kernel/auth/store.ts';
import { inTransaction } from './kernel/db/unit-of-work.ts';
import { Problem } from './kernel/problems.ts';
import { registerOpen311Commands } from './open311/cli.ts';
import { type Runtime, serve, startRuntime } from './server.ts';
import { placesExporter, placesImporter } from './twin/geojson.ts';
import * as twinStore from './twin/store.ts';

const everywhere = { placeId: null, path: null, gridId: null };

const environmentHelp = `
Environment:
  PORT           HTTP port (default 3000)
  HOST           interface to bind (default 0.0.0.0)
  DATA_DIR       data folder: embedded database, uploads (default ./data)
  DATABASE_URL   postgres://… to use PostgreSQL instead of the embedded SQLite
  LOG_LEVEL      fatal|error|warn|info|debug|trace|silent (default info)
  CIVICTWIN_DEMO_PASSWORD  password of the demo accounts (demo mode; random when unset)
  See README.md for every variable.`;

/** Runs `fn` on a migrated database, then closes it. */
async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, options: { quiet?: boolean } = {}): Promise<T> {
  const config: Config = { ...loadConfig(), ...(options.quiet ? { logLevel: 'warn' as const } : {}) };
  const rt = await startRuntime(config);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

const program = new Command()
  .name('civictwin')
  .description('数字孪生社区治理平台 civictwin: the district’s twin, cases, food traceability and services')
  .addHelpText('after', environmentHelp)
  .showHelpAfterError();

program
  .command('demo')
  .description('start with the demo district (杉板桥社区 and neighbours), loaded on first start')
  .option('--no-mqtt', 'do not start the MQTT side (embedded broker, or the MQTT_URL subscription)')
  .option('--no-simulator', 'no simulated device readings and incidents, no simulated workers')
  .action(async (opts: { mqtt: boolean; simulator: boolean }) => {
    const config = loadConfig();
    const rt = await startRuntime(config, { demo: true, simulate: opts.simulator });
    if (opts.simulator) registerDeviceSimulator(rt.ctx);
    const password = demoPassword(rt.ctx);
    const loaded = await demoDistrictLoader(rt.ctx, password);
    if (!loaded) await demoPasswordSyncer(rt.ctx, password);
    const { url } = await serve(rt, { mqtt: opts.mqtt });
    const accounts = demoAccounts()
      .map((a) => `    ${a.username.padEnd(13)} ${a.displayName}`)
      .join('\n');
    process.stdout.write(
      `\ncivictwin demo ${loaded ? '(demo district loaded)' : '(existing data reused)'} on ${url}  [${rt.database.where}]\n` +
        `  Log in with any of these accounts, password: ${password}\n${accounts}\n` +
        `  API docs: ${url}/api/docs   e.g.  curl -c jar -H 'content-type: application/json' \\\n` +
        `    -d '{"username":"admin","password":"${password}"}' ${url}/api/auth/login\n\n`,
    );
  });

program
  .command('serve')
  .description('start the server (no demo data, no default account: create one with `user add`)')
  .option('--no-mqtt', 'do not start the MQTT side (embedded broker, or the MQTT_URL subscription)')
  .action(async (opts: { mqtt: boolean }) => {
    const rt = await startRuntime(loadConfig());
    const { url } = await serve(rt, { mqtt: opts.mqtt });
    const mqtt = rt.ctx.signals.mqttPort ? `, devices' MQTT on port ${rt.ctx.signals.mqttPort}` : '';
    process.stdout.write(`civictwin serving on ${url}${mqtt}  [${rt.database.where}]\n`);
  });

program
  .command('migrate')
  .description('bring the database schema up to date (also done at every start)')
  .action(() =>
    withRuntime(async (rt) => void process.stdout.write(`database up to date: ${rt.database.where}\n`), {
      quiet: true,
    }),
  );

const importCmd = program.command('import').description('import data');
importCmd
  .command('places <file>')
  .description('import places and grids from a GeoJSON FeatureCollection (all or nothing)')
  .action((file: string) =>
    withRuntime(async (rt) => {
      const body = JSON.parse(fs.readFileSync(file, 'utf8'));
      const summary = await inTransaction(rt.ctx.db, rt.ctx.clock, 'cli', (unit) =>
        placesImporter(unit, rt.ctx.twin, body, everywhere),
      );
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    }),
  );

const exportCmd = program.command('export').description('export data');
exportCmd
  .command('places')
  .description('export places and grids as a GeoJSON FeatureCollection')
  .option('-o, --out <file>', 'write to a file instead of standard output')
  .action((opts: { out?: string }) =>
    withRuntime(
      async (rt) => {
        const text = `${JSON.stringify(await placesExporter(rt.ctx.db, everywhere), null, 1)}\n`;
        if (opts.out) fs.writeFileSync(opts.out, text);
        else process.stdout.write(text);
      },
      { quiet: true },
    ),
  );

const userCmd = program.command('user').description('manage accounts');
userCmd
  .command('add <username>')
  .description('create an account; prints a generated password unless --password is given')
  .addOption(new Option('-r, --role <role>', 'role').choices(roles).makeOptionMandatory())
  .option('-n, --name <name>', 'display name (default: the username)')
  .option('-p, --password <password>', 'password (8+ characters)')
  .option('--phone <phone>', 'work phone')
  .option('-s, --scope <placeCode>', 'code of the place whose subtree the user may see (default: everything)')
  .option('-g, --grid <gridCode>', 'a grid worker’s grid code')
  .action(
    (
      username: string,
      opts: {
        role: (typeof roles)[number];
        name?: string;
        password?: string;
        phone?: string;
        scope?: string;
        grid?: string;
      },
    ) =>
      withRuntime(
        async (rt) => {
          const password = opts.password ?? randomPassword();
          await inTransaction(rt.ctx.db, rt.ctx.clock, 'cli', async (unit) => {
            const [place] = opts.scope ? await twinStore.findPlacesByCode(unit.tx, [opts.scope]) : [];
            if (opts.scope && !place)
              throw new Problem(400, 'bad-request', 'unknown place', `no place with code ${opts.scope}`);
            const [grid] = opts.grid ? await twinStore.findGridsByCode(unit.tx, [opts.grid]) : [];
            if (opts.grid && !grid)
              throw new Problem(400, 'bad-request', 'unknown grid', `no grid with code ${opts.grid}`);
            await userCreator(unit, {
              username,
              displayName: opts.name ?? username,
              role: opts.role,
              password,
              ...(opts.phone ? { phone: opts.phone } : {}),
              scopePlaceId: place?.id ?? (grid ? grid.community_id : null),
              scopeGridId: grid?.id ?? null,
            });
          });
          process.stdout.write(`created ${username} (${opts.role})${opts.password ? '' : `, password: ${password}`}\n`);
        },
        { quiet: true },
      ),
  );
userCmd
  .command('token <username>')
  .description('issue a bearer API token for scripts (printed once; stored hashed)')
  .option('-n, --name <name>', 'what the token is for', 'cli')
  .action((username: string, opts: { name: string }) =>
    withRuntime(
      async (rt) => {
        const user = await findUserByUsername(rt.ctx.db, username);
        if (!user) throw new Problem(404, 'not-found', 'unknown user', `no user ${username}`);
        const token = await inTransaction(rt.ctx.db, rt.ctx.clock, 'cli', (unit) =>
          apiTokenIssuer(unit, user.id, opts.name),
        );
        process.stdout.write(`${token}\n`);
      },
      { quiet: true },
    ),
  );

program
  .command('audit')
  .description('the tamper-evident audit log')
  .command('verify')
  .description('recompute the hash chain; exits 1 and names the first bad record if it was tampered with')
  .action(() =>
    withRuntime(
      async (rt) => {
        const verdict = await verifyAuditLog(rt.ctx.db);
        if (verdict.ok) {
          process.stdout.write(`audit log intact: ${verdict.records} records, head ${verdict.headHash}\n`);
        } else {
          process.stderr.write(`audit log TAMPERED: first bad record ${verdict.firstBad}: ${verdict.reason}\n`);
          process.exitCode = 1;
        }
      },
      { quiet: true },
    ),
  );

registerOpen311Commands(program, withRuntime);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else if (err instanceof Problem) {
    const errors = (err.extensions.errors as { pointer: string; detail: string }[] | undefined) ?? [];
    process.stderr.write(`error: ${err.message}\n${errors.map((e) => `  ${e.pointer}: ${e.detail}\n`).join('')}`);
  } else if (err instanceof SyntaxError) {
    process.stderr.write(`error: not valid JSON: ${err.message}\n`);
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exitCode = 2;
}
