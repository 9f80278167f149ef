import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has defaults that start the demo on port 3000 with data in ./data', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.sessionTtlMs).toBe(12 * 3600_000);
    expect(c.cookieSecure).toBe(false);
  });

  it('reads the documented variables', () => {
    const c = loadConfig({
      PORT: '8080',
      DATA_DIR: '/srv/ct',
      DATABASE_URL: 'postgres://u@h/db',
      COOKIE_SECURE: 'true',
      SESSION_TTL_HOURS: '2',
    });
    expect(c).toMatchObject({
      port: 8080,
      dataDir: '/srv/ct',
      databaseUrl: 'postgres://u@h/db',
      cookieSecure: true,
      sessionTtlMs: 2 * 3600_000,
    });
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL must start with postgres://');
      expect(message).toContain('LOG_LEVEL');
    }
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });
});
