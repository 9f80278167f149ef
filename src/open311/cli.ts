import { type Command, InvalidArgumentError } from 'commander';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import type { Runtime } from '../server.ts';
import { defaultKeyRateLimit, keyIssuer, keyRevoker } from './keys.ts';
import * as store from './store.ts';

/** How src/cli.ts runs a command on a migrated database. */
export type WithRuntime = <T>(fn: (rt: Runtime) => Promise<T>, options?: { quiet?: boolean }) => Promise<T>;

const positiveInt = (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError('a whole number from 1 to 10000');
  return n;
};

/**
 * `civictwin open311 key add <app name> [--rate-limit n]` prints a new API key (stored hashed);
 * `civictwin open311 key list` and `civictwin open311 key revoke <id>` manage them.
 */
export function registerOpen311Commands(program: Command, withRuntime: WithRuntime): void {
  const open311 = program.command('open311').description('Open311 GeoReport v2: API keys of third-party apps');
  const key = open311.command('key').description('API keys, one per app (POST requests needs one)');
  key
    .command('add <appName>')
    .description('issue an API key for an app and print it (shown once; stored hashed)')
    .option('-r, --rate-limit <n>', 'reports per minute the key may POST', positiveInt, defaultKeyRateLimit)
    .action((appName: string, opts: { rateLimit: number }) =>
      withRuntime(
        async (rt) => {
          const { row, key: secret } = await inTransaction(rt.ctx.db, rt.ctx.clock, 'cli', (unit) =>
            keyIssuer(unit, { appName, rateLimit: opts.rateLimit }),
          );
          process.stdout.write(`${secret}\n`);
          process.stderr.write(`issued key ${row.id} for ${row.app_name} (${row.rate_limit} reports/minute)\n`);
        },
        { quiet: true },
      ),
    );
  key
    .command('list')
    .description('list the keys (never the keys themselves)')
    .action(() =>
      withRuntime(
        async (rt) => {
          for (const k of await store.listKeys(rt.ctx.db))
            process.stdout.write(
              `${k.id}  ${k.key_prefix}…  ${k.app_name}  ${k.rate_limit}/min  ${k.revoked_at ? `revoked ${k.revoked_at}` : 'active'}\n`,
            );
        },
        { quiet: true },
      ),
    );
  key
    .command('revoke <id>')
    .description('revoke a key by its id (from `key list`)')
    .action((id: string) =>
      withRuntime(
        async (rt) => {
          const row = await store.findKey(rt.ctx.db, id);
          if (!row) throw new InvalidArgumentError(`no Open311 key ${id}`);
          await inTransaction(rt.ctx.db, rt.ctx.clock, 'cli', (unit) => keyRevoker(unit, row));
          process.stdout.write(`revoked the key of ${row.app_name}\n`);
        },
        { quiet: true },
      ),
    );
}
