import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.ts';
import { outboundPolicy, type Resolver } from './outbound.ts';

/** Webhook destinations: public by default, `WEBHOOK_ALLOW` for the intranet, checked again on every connect. */
describe('outbound policy (webhook destinations)', () => {
  let server: http.Server;
  let port: number;
  const hits: string[] = [];
  /** What the receiver answers next (then 204). */
  const answers: { status: number; location?: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      req.on('end', () => {
        const answer = answers.shift() ?? { status: 204 };
        if (answer.location) res.setHeader('location', answer.location);
        res.statusCode = answer.status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** `rebind.example` resolves to this machine; every other name is unknown. */
  const rebinding: Resolver = (host, _family, callback) =>
    host === 'rebind.example'
      ? callback(null, [{ address: '127.0.0.1', family: 4 }])
      : callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
  const send = (policy: ReturnType<typeof outboundPolicy>, url: string) =>
    policy.post(url, { headers: { 'content-type': 'application/json' }, body: '{"v":1}', timeoutMs: 5_000 });

  it('refuses local, private and reserved destinations when a URL is registered', () => {
    const policy = outboundPolicy([]);
    for (const url of [
      'http://127.0.0.1:5432/',
      'http://127.1/', // 127.0.0.1 in short form
      'http://2130706433/', // 127.0.0.1 as one number
      'http://0x7f.0.0.1/',
      'http://localhost:6379/',
      'http://api.localhost/',
      'http://169.254.169.254/latest/meta-data/', // the cloud's metadata service
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://224.0.0.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/', // 169.254.169.254, mapped into IPv6
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'ftp://hooks.example.com/',
      'http://user:secret@hooks.example.com/',
      'not a url',
    ])
      expect(policy.refusal(url), url).toBeDefined();
    expect(policy.refusal('http://127.0.0.1/')).toMatch(/WEBHOOK_ALLOW/);
    for (const url of ['https://hooks.example.com/x', 'http://8.8.8.8/', 'http://[2001:4860:4860::8888]/'])
      expect(policy.refusal(url), url).toBeUndefined();
  });

  it('lets WEBHOOK_ALLOW open named hosts, addresses and ranges, nothing more', () => {
    const policy = outboundPolicy(['10.20.0.0/16', '192.168.1.5', 'Hotline.District.Local', 'fd00:1::/32']);
    for (const url of [
      'http://10.20.3.4/',
      'http://192.168.1.5/',
      'http://hotline.district.local/',
      'http://[fd00:1::9]/',
    ])
      expect(policy.refusal(url), url).toBeUndefined();
    for (const url of ['http://10.21.0.1/', 'http://192.168.1.6/', 'http://127.0.0.1/', 'http://[fd00:2::9]/'])
      expect(policy.refusal(url), url).toBeDefined();
  });

  it('refuses a malformed WEBHOOK_ALLOW at start-up', () => {
    for (const bad of ['10.0.0.0/33', 'hooks.example.com/8', '::1/200'])
      expect(() => loadConfig({ WEBHOOK_ALLOW: bad })).toThrow(ConfigError);
    expect(loadConfig({ WEBHOOK_ALLOW: ' 10.0.0.0/8 , hotline.local ' }).webhookAllow).toEqual([
      '10.0.0.0/8',
      'hotline.local',
    ]);
    expect(loadConfig({}).webhookAllow).toEqual([]);
  });

  it('checks every address a name resolves to when it connects, so DNS cannot lead it inside', async () => {
    const url = `http://rebind.example:${port}/hook`;
    const policy = outboundPolicy([], rebinding);
    expect(policy.refusal(url)).toBeUndefined(); // a name passes registration …
    const before = hits.length;
    await expect(send(policy, url)).rejects.toThrow(/127\.0\.0\.1.*WEBHOOK_ALLOW/); // … but not the connect
    await expect(send(policy, `http://127.0.0.1:${port}/direct`)).rejects.toThrow(/WEBHOOK_ALLOW/);
    expect(hits.length).toBe(before);
    // Allowed by name: delivered, through the address it resolved to.
    expect(await send(outboundPolicy(['rebind.example'], rebinding), url)).toBe(204);
    expect(hits.slice(before)).toEqual(['/hook']);
  });

  it('does not follow redirects', async () => {
    const policy = outboundPolicy(['127.0.0.1']);
    answers.push({ status: 302, location: 'http://169.254.169.254/latest/meta-data/' });
    const before = hits.length;
    expect(await send(policy, `http://127.0.0.1:${port}/moved`)).toBe(302);
    expect(hits.slice(before)).toEqual(['/moved']);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const silent = http.createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const policy = outboundPolicy(['127.0.0.1']);
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    await expect(policy.post(url, { headers: {}, body: '{}', timeoutMs: 50 })).rejects.toThrow(/abort|timeout/i);
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });
});
