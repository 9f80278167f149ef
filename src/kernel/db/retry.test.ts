import { describe, expect, it } from 'vitest';
import { retryOnConflict, retryOnForeignSchemaDrop } from './retry.ts';

const gone = (schema: string) => Object.assign(new Error(`schema "${schema}" does not exist`), { code: '3F000' });

describe('retryOnForeignSchemaDrop', () => {
  it('runs again when another schema vanished during the scan', async () => {
    let calls = 0;
    const result = await retryOnForeignSchemaDrop(async () => {
      calls += 1;
      if (calls < 3) throw gone('t_other');
      return 'migrated';
    }, 't_mine');
    expect(result).toBe('migrated');
    expect(calls).toBe(3);
  });

  it('gives up after the attempts allowed', async () => {
    let calls = 0;
    const run = retryOnForeignSchemaDrop(
      async () => {
        calls += 1;
        throw gone('t_other');
      },
      't_mine',
      2,
    );
    await expect(run).rejects.toThrow('t_other');
    expect(calls).toBe(2);
  });

  it('throws at once when our own schema is missing, or for any other error', async () => {
    for (const err of [gone('t_mine'), Object.assign(new Error('syntax error'), { code: '42601' })]) {
      let calls = 0;
      await expect(
        retryOnForeignSchemaDrop(async () => {
          calls += 1;
          throw err;
        }, 't_mine'),
      ).rejects.toBe(err);
      expect(calls).toBe(1);
    }
  });
});

describe('retryOnConflict', () => {
  const pgError = (code: string) => Object.assign(new Error(code), { code });

  it('runs a transaction again after a deadlock or a serialization failure', async () => {
    const codes = ['40P01', '40001'];
    let calls = 0;
    const result = await retryOnConflict(async () => {
      const code = codes[calls];
      calls += 1;
      if (code) throw pgError(code);
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(calls).toBe(3);
  });

  it('gives up after the attempts allowed, and never retries other errors', async () => {
    let calls = 0;
    await expect(
      retryOnConflict(async () => {
        calls += 1;
        throw pgError('40P01');
      }, 2),
    ).rejects.toThrow('40P01');
    expect(calls).toBe(2);
    const unique = pgError('23505');
    calls = 0;
    await expect(
      retryOnConflict(async () => {
        calls += 1;
        throw unique;
      }),
    ).rejects.toBe(unique);
    expect(calls).toBe(1);
  });
});
