import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasChromium,
  launchChromium,
  outsideRequests,
  screenshotPath,
  signIn,
  startTestServer,
  type TestServer,
} from './harness.ts';

type Browser = Awaited<ReturnType<typeof launchChromium>>;

/** Digits only: "102,582" → 102582 (the tiles format numbers for the language). */
const digits = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

/**
 * A pixel inside a compound the map has drawn, and that compound's name, found through the map
 * element's MapLibre instance (a string, not a function: see STACK-NOTES on `__name`).
 */
const compoundOnScreen = `(() => {
  const el = document.querySelector('[data-testid=district-map]');
  const map = el.maplibreMap;
  const box = el.getBoundingClientRect();
  const features = map.queryRenderedFeatures({ layers: ['compounds-fill'] });
  for (const f of features) {
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    const lng = ring.slice(0, -1).reduce((s, p) => s + p[0], 0) / (ring.length - 1);
    const lat = ring.slice(0, -1).reduce((s, p) => s + p[1], 0) / (ring.length - 1);
    const p = map.project([lng, lat]);
    if (p.x > 20 && p.y > 20 && p.x < box.width - 20 && p.y < box.height - 20) {
      const hit = map.queryRenderedFeatures([p.x, p.y], { layers: ['compounds-fill'] })[0];
      if (hit && hit.properties.id === f.properties.id)
        return { x: box.left + p.x, y: box.top + p.y, id: f.properties.id, name: f.properties.name };
    }
  }
  return null;
})()`;

const renderedCounts = `(() => {
  const map = document.querySelector('[data-testid=district-map]').maplibreMap;
  const count = (layer) => map.queryRenderedFeatures({ layers: [layer] }).length;
  return {
    compounds: count('compounds-fill'),
    grids: count('grids-line'),
    clusters: count('devices-clusters'),
    points: count('devices-points'),
  };
})()`;

/** `total` of a paged list, asked with the page's session. */
async function apiTotal(page: Page, url: string): Promise<number> {
  const res = await page.request.get(new URL(url, page.url()).href);
  expect(res.status(), url).toBe(200);
  return ((await res.json()) as { total: number }).total;
}

describe.skipIf(!hasChromium)('the web app in Chromium (demo district)', () => {
  let server: TestServer;
  let browser: Browser;
  let outside: string[];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    outside = outsideRequests(browser.context, server.url);
    browser.context.on('page', (p) => p.on('pageerror', (err) => pageErrors.push(String(err))));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sends a visitor to the Chinese login page', async () => {
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`${server.url}/screen`);
    await page.waitForURL(/\/login\?next=%2Fscreen$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('登录');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.screenshot({ path: screenshotPath('login.png') });

    await page.locator('input[name=username]').fill('leader');
    await page.locator('input[name=password]').fill('wrong-password');
    await page.locator('button[type=submit]').click();
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe('用户名或密码错误');
    await page.close();
  });

  it('shows the leader the big screen with the twin’s real figures, map and charts, nothing fetched from outside', async () => {
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await signIn(page, server.url, 'leader');
    expect(new URL(page.url()).pathname).toBe('/screen');
    await page.locator('[data-testid=district-map][data-ready=true]').waitFor({ timeout: 60_000 });

    // The tiles show what the API says this leader may see.
    const compounds = await apiTotal(page, '/api/places?kind=compound&pageSize=1');
    const devices = await apiTotal(page, '/api/devices?pageSize=1');
    const grids = await apiTotal(page, '/api/grids?pageSize=1');
    expect(compounds).toBe(61);
    expect(devices).toBe(773);
    const tile = (id: string) => page.locator(`[data-kpi=${id}] .kpi__value`).textContent();
    expect(digits(await tile('compounds'))).toBe(compounds);
    expect(digits(await tile('devices'))).toBe(devices);
    expect(digits(await tile('grids'))).toBe(grids);
    expect(digits(await tile('residents'))).toBeGreaterThan(102_582); // the model community alone has 102,582
    // No device has reported yet in the demo: 0 online, all "never reported" — not a made-up rate.
    expect(await tile('online')).toBe('0.0%');
    expect(await page.locator('h1.bigscreen__title').textContent()).toBe('成华区城市运行数字孪生');

    // The map drew every compound in view, the grid borders and the devices (clustered).
    const drawn = (await page.evaluate(renderedCounts)) as {
      compounds: number;
      grids: number;
      clusters: number;
      points: number;
    };
    expect(drawn.compounds).toBeGreaterThan(0);
    expect(drawn.grids).toBeGreaterThan(0);
    expect(drawn.clusters + drawn.points).toBeGreaterThan(0);
    // Both charts drew on a canvas.
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(2);
    // The case trends (cases per category per day, 按期处置率 per community) drew too; with nothing
    // due yet, the on-time panel says so instead of drawing empty axes.
    await page.locator('[data-chart=case-trend] canvas').waitFor();
    expect(await page.locator('[data-chart=case-trend] .panel__title').textContent()).toBe('近14天各类案件数');
    const onTime = page.locator('[data-chart=on-time]');
    await onTime.waitFor();
    if ((await onTime.getAttribute('data-due')) === 'true') await onTime.locator('canvas').waitFor();
    else expect(await onTime.locator('.chart-empty').textContent()).toBe('近30天暂无到期案件');
    // The case tiles: today's, open and overdue cases (the summary API), this month's rates (the KPIs).
    for (const id of ['casesToday', 'openCases', 'overdue', 'onTimeHandlingRate', 'closingRate', 'satisfactionRate'])
      await page.locator(`[data-slot=cases] [data-kpi=${id}]`).waitFor();
    expect(await page.locator('[data-kpi=casesToday] .kpi__label').textContent()).toBe('今日案件');

    // Click a compound → its panel with its devices.
    const target = (await page.evaluate(compoundOnScreen)) as { x: number; y: number; id: string; name: string } | null;
    expect(target).not.toBeNull();
    await page.mouse.click(target!.x, target!.y);
    const panel = page.locator(`.compound-panel[data-compound="${target!.id}"]`);
    await panel.waitFor();
    expect(await panel.locator('.panel__title').textContent()).toBe(target!.name);
    expect(await panel.locator('.panel__subtitle').textContent()).toMatch(/^设备（\d+）$/);
    // The closed loop's counts of the compound, from the case and alarm APIs.
    await panel.locator('dt', { hasText: '在办案件' }).waitFor();

    // Slots of the closed loop appear only when their APIs answer this user.
    for (const [slot, url] of [
      ['alarms', '/api/alarms?status=open&pageSize=1'],
      ['cases', '/api/kpis'],
    ] as const) {
      const answers = (await page.request.get(new URL(url, page.url()).href)).ok();
      expect(await page.locator(`[data-slot=${slot}]`).count(), slot).toBe(answers ? 1 : 0);
    }

    await page.screenshot({ path: screenshotPath('screen.png') });
    expect(outside).toEqual([]);
    await page.close();
  });

  it('switches to English and back', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/screen`);
    await page.locator('[data-testid=district-map][data-ready=true]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('[data-kpi=devices] .kpi__label').textContent()).toBe('Devices');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('button', { name: '中文' }).click();
    expect(await page.locator('[data-kpi=devices] .kpi__label').textContent()).toBe('设备总数');
    await page.close();
  });

  it('lands each role on its own screen', async () => {
    const landings: [string, string][] = [
      ['dispatcher', '/console'],
      ['admin', '/console'],
      ['worker', '/worker'],
      ['resident', '/report'],
      ['regulator', '/trace'],
      ['enterprise', '/home'],
    ];
    for (const [username, path] of landings) {
      const page = await browser.context.newPage();
      await browser.context.clearCookies();
      await signIn(page, server.url, username);
      expect(new URL(page.url()).pathname, username).toBe(path);
      if (path !== '/trace') expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      if (['/console', '/worker', '/report'].includes(path)) {
        await page.locator(`[data-screen=${path.slice(1)}]`).waitFor();
      }
      if (path !== '/trace') await page.screenshot({ path: screenshotPath(`landing-${username}.png`) });
      await page.close();
    }
  });

  it('refuses a screen the role may not open, and signs out (a cookie write with the CSRF token)', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await signIn(page, server.url, 'resident');
    await page.goto(`${server.url}/screen`);
    expect(await page.locator('h1').textContent()).toBe('无权访问');
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/login$/);
    expect((await page.request.get(`${server.url}/api/me`)).status()).toBe(401);
    await page.close();
  });

  it('raised no script error and fetched nothing from outside', () => {
    expect(pageErrors).toEqual([]);
    expect(outside).toEqual([]);
  });
});
