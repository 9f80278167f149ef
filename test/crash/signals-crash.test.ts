import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/civictwin.js');

/** A free TCP port on the loopback interface. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A small deterministic random source (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Sender = { code: string; token: string; kind: string; reading: (i: number) => Record<string, unknown> };
type Message = { sender: Sender; body: { ts: number; values: Record<string, unknown> }[]; acked: boolean };

/**
 * The real server (`civictwin serve`, embedded database) killed with SIGKILL again and again while
 * devices send telemetry over HTTP. After each restart: every acknowledged signal is stored exactly
 * once; devices then send again what was not acknowledged; at the end every signal is stored once
 * and every expected alarm exists once, with a count equal to the signals that raised it.
 */
describe('crash test: SIGKILL during ingestion', () => {
  const seed = Number(process.env.CRASH_SEED ?? 20261126);
  const rnd = random(seed);
  let dataDir: string;
  let port: number;
  let server: ChildProcess | undefined;
  let adminToken: string;
  const env = () => ({
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    MQTT_URL: '',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  const base = () => `http://127.0.0.1:${port}`;

  const start = async () => {
    server = spawn('node', [bin, 'serve', '--no-mqtt'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    server.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`${base()}/readyz`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until || server.exitCode !== null) throw new Error(`server did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const s = server;
    if (!s || s.exitCode !== null) return;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGKILL');
    await exited;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the test reads a few fields of the JSON answers
  const api = async (method: string, url: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${base()}${url}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  /** Sends one message; true when the server answered 200 (acknowledged, so durable). */
  const send = async (m: Message) => {
    try {
      const res = await fetch(`${base()}/api/v1/${m.sender.token}/telemetry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(m.body),
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      m.acked = true;
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-crash-'));
    port = await freePort();
    const cli = (...args: string[]) => run('node', [bin, ...args], { env: env() });
    await cli('user', 'add', 'crash-admin', '--role', 'admin', '--password', 'crash-test-password');
    adminToken = (await cli('user', 'token', 'crash-admin')).stdout.trim();
  });
  afterAll(async () => {
    await kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every acknowledged signal exactly once and raises every alarm once, across repeated SIGKILLs', async () => {
    await start();
    const district = await api('POST', '/api/places', {
      code: 'crash-district',
      kind: 'district',
      name: '崩溃测试区',
      geometry: { type: 'Point', coordinates: [104.1, 30.66] },
    });
    const device = async (code: string, kind: string): Promise<{ code: string; token: string }> => {
      const d = await api('POST', '/api/devices', { code, name: code, kind, placeId: district.id });
      return { code, token: d.accessToken };
    };
    const senders: Sender[] = [
      { ...(await device('crash-smoke', 'smoke')), kind: 'smoke', reading: (i) => ({ smoke: true, seq: i }) },
      {
        ...(await device('crash-button', 'emergency_button')),
        kind: 'emergency_button',
        reading: (i) => ({ pressed: true, seq: i }),
      },
      {
        ...(await device('crash-camera', 'ai_camera')),
        kind: 'ai_camera',
        reading: (i) => ({ seq: i, detection: { type: 'high_altitude_throw', confidence: 0.9 } }),
      },
      {
        ...(await device('crash-thermo', 'temp_humidity')),
        kind: 'temp_humidity',
        reading: (i) => ({ temperature: 20, seq: i }),
      },
    ];
    const messages: Message[] = [];
    const t0 = Date.parse('2026-11-26T00:00:00Z');
    let n = 0;
    const nextMessage = (sender: Sender): Message => {
      const body = Array.from({ length: 20 }, () => {
        n += 1;
        return { ts: t0 + n, values: sender.reading(n) };
      });
      const m = { sender, body, acked: false };
      messages.push(m);
      return m;
    };
    const db = () => new Database(path.join(dataDir, 'civictwin.sqlite'), { readonly: true, fileMustExist: true });
    /** Every acknowledged reading is in the log, once. */
    const checkAcknowledged = () => {
      const conn = db();
      try {
        const stored = new Map<string, number>();
        const rows = conn.prepare('select device_id, ts, payload from signal_log').all() as {
          ts: string;
          payload: string;
        }[];
        for (const r of rows) {
          const key = `${r.ts}|${(JSON.parse(r.payload) as { seq: number }).seq}`;
          stored.set(key, (stored.get(key) ?? 0) + 1);
        }
        let acked = 0;
        for (const m of messages.filter((x) => x.acked)) {
          for (const b of m.body) {
            acked += 1;
            expect(stored.get(`${new Date(b.ts).toISOString()}|${b.values.seq}`), `seq ${b.values.seq}`).toBe(1);
          }
        }
        return { acked, stored: rows.length };
      } finally {
        conn.close();
      }
    };

    const cycles = 4;
    let kills = 0;
    let retried = 0;
    for (let cycle = 0; cycle < cycles; cycle++) {
      // Devices first send again what was not acknowledged before the last crash.
      for (const m of messages.filter((x) => !x.acked)) {
        retried += 1;
        expect(await send(m)).toBe(true);
      }
      let running = true;
      const loops = senders.map(async (sender) => {
        while (running) {
          if (!(await send(nextMessage(sender)))) return;
        }
      });
      await new Promise((r) => setTimeout(r, 300 + rnd() * 700));
      await kill();
      kills += 1;
      running = false;
      await Promise.all(loops);
      const { acked, stored } = checkAcknowledged();
      expect(acked).toBeGreaterThan(0);
      expect(stored).toBeGreaterThanOrEqual(acked);
      await start();
    }
    for (const m of messages.filter((x) => !x.acked)) {
      retried += 1;
      expect(await send(m)).toBe(true);
    }

    // Let the rule consumer catch up with the log, then stop cleanly and look at the database.
    const caughtUp = Date.now() + 30_000;
    for (;;) {
      const stats = await api('GET', '/api/signals/stats');
      if (stats.head > 0 && stats.consumer.position === stats.head) break;
      if (Date.now() > caughtUp)
        throw new Error(`consumer behind: ${JSON.stringify(stats.consumer)} head ${stats.head}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const s = server as ChildProcess;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGTERM');
    await exited;

    expect(kills).toBe(cycles);
    process.stdout.write(
      `crash test (seed ${seed}): ${kills} SIGKILLs, ${messages.length} messages of 20 readings, ${retried} sent again after a crash\n`,
    );
    const total = messages.reduce((sum, m) => sum + m.body.length, 0);
    const { acked, stored } = checkAcknowledged();
    expect(acked).toBe(total);
    expect(stored).toBe(total);
    const conn = db();
    try {
      const perDevice = new Map(
        (
          conn
            .prepare(
              'select d.code, count(*) as n from signal_log s join devices d on d.id = s.device_id group by d.code',
            )
            .all() as { code: string; n: number }[]
        ).map((r) => [r.code, r.n]),
      );
      const alarms = conn.prepare('select id, device_code, category, status, count from alarms').all() as {
        id: string;
        device_code: string;
        category: string;
        status: string;
        count: number;
      }[];
      // One alarm per triggering device, counting every signal that raised or repeated it: none lost, none twice.
      expect(alarms.map((a) => [a.device_code, a.category, a.status]).sort()).toEqual([
        ['crash-button', 'emergency_call', 'active'],
        ['crash-camera', 'high_altitude_throw', 'active'],
        ['crash-smoke', 'fire_smoke', 'active'],
      ]);
      for (const a of alarms) expect(a.count, a.device_code).toBe(perDevice.get(a.device_code));
      const raised = conn
        .prepare("select subject_id, count(*) as n from domain_events where type = 'alarm.raised' group by subject_id")
        .all() as { subject_id: string; n: number }[];
      expect(raised.map((r) => r.n)).toEqual([1, 1, 1]);
      const audited = conn.prepare("select count(*) as n from audit_log where action = 'alarm.raise'").get() as {
        n: number;
      };
      expect(audited.n).toBe(3);
      const position = conn.prepare("select seq from processor_positions where processor = 'signals'").get() as {
        seq: number;
      };
      const head = conn.prepare('select max(seq) as seq from signal_log').get() as { seq: number };
      expect(position.seq).toBe(head.seq);
    } finally {
      conn.close();
    }
  }, 120_000);
});
