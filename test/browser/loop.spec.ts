import fs from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumPath,
  hasChromium,
  outsideRequests,
  screenshotPath,
  signIn,
  startTestServer,
  type TestServer,
} from './harness.ts';

// The closed loop across the screens (issue 6): a camera's detection becomes a case that reaches
// the grid worker's phone and the big screen live; the worker accepts (once while offline: the
// action waits and is sent once back online) and handles it with a photo; a patrol report with a
// photo, made offline, is sent once back; the dispatcher verifies and closes it at the console; a
// resident's report from the portal, with a photo and contact details, is dispatched, handled,
// closed and rated; the console exports its filtered queue. Each person has their own browser
// context (own cookies), as on their own device.

const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
];

/** Digits only: "1,024" → 1024 (the tiles format numbers for the language). */
const digits = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

/** The camera of the model community's first grid (the demo's `SBQ-CAM-0001`). */
const cameraCode = 'SBQ-CAM-0001';

type Device = { code: string; gridId: string | null };
type Grid = { id: string; code: string };

describe.skipIf(!hasChromium)('the closed loop across the screens (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const outside: string[] = [];

  /** A new "device" for one person, Chinese, Beijing time. */
  async function device(viewport: { width: number; height: number }) {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    contexts.push(context);
    outside.push(...outsideRequests(context, server.url));
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    return { context, page };
  }

  /** Clicks an action button of the open case and submits its form when it has one. */
  /** A valid 1×1 PNG (RFC 2083), the worker's "after" photo. */
  const onePixelPng = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );

  async function act(page: Page, scope: string, action: string, fill: Record<string, string> = {}) {
    await page.locator(`${scope} button[data-action=${action}]`).click();
    const form = page.locator(`${scope} form[data-form=${action}]`);
    if (await form.count()) {
      for (const [name, value] of Object.entries(fill)) await form.locator(`[name=${name}]`).fill(value);
      await form.locator('button[type=submit]').click();
    }
  }

  beforeAll(async () => {
    server = await startTestServer();
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });

  it('runs a detection and a resident’s report from report to close (and rating)', async () => {
    // Whose grid the camera is in: its grid worker (wg-<grid code>) is the one the case goes to.
    const admin = await device({ width: 1280, height: 800 });
    await signIn(admin.page, server.url, 'admin');
    const cams = (await (await admin.page.request.get(`${server.url}/api/devices?kind=ai_camera&pageSize=500`)).json())
      .items as Device[];
    const cam = cams.find((d) => d.code === cameraCode)!;
    const grids = (await (await admin.page.request.get(`${server.url}/api/grids?pageSize=500`)).json()).items as Grid[];
    const gridCode = grids.find((g) => g.id === cam.gridId)!.code;
    await admin.context.close();

    // The grid worker's phone, waiting on the task list.
    const worker = await device({ width: 390, height: 844 });
    // Count the tones of the new-task sound (WebAudio oscillators; nothing is downloaded).
    await worker.context.addInitScript(`(() => {
      window.__tones = 0;
      const make = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function () { window.__tones++; return make.call(this); };
    })()`);
    await signIn(worker.page, server.url, `wg-${gridCode}`);
    expect(new URL(worker.page.url()).pathname).toBe('/worker');
    await worker.page.locator('[data-live=live]').waitFor({ timeout: 20_000 });
    const workerId = ((await (await worker.page.request.get(`${server.url}/api/me`)).json()) as { id: string }).id;

    // The dispatcher's console.
    const dispatcher = await device({ width: 1920, height: 1080 });
    // Keep the console's WebSockets at hand, to drop the connection on purpose.
    await dispatcher.context.addInitScript(`(() => {
      const Native = window.WebSocket;
      window.__sockets = [];
      window.WebSocket = class extends Native {
        constructor(...args) { super(...args); window.__sockets.push(this); }
      };
    })()`);
    await signIn(dispatcher.page, server.url, 'dispatcher');
    expect(new URL(dispatcher.page.url()).pathname).toBe('/console');

    // The leader's big screen, with no open alarm yet.
    const wall = await device({ width: 1920, height: 1080 });
    await signIn(wall.page, server.url, 'leader');
    await wall.page.locator('[data-testid=district-map][data-ready=true]').waitFor({ timeout: 60_000 });
    await wall.page.locator('[data-slot=alarms]').waitFor({ timeout: 20_000 });
    expect(await wall.page.locator('[data-slot=alarms] .alarm').count()).toBe(0);

    // A camera sees garbage piling up (HTTP telemetry with the demo token).
    const sent = await fetch(`${server.url}/api/v1/demo-${cameraCode}/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ detection: { type: 'garbage_overflow', confidence: 0.95 } }),
    });
    expect(sent.status).toBe(200);
    // Other cameras of the district see other things: the console's queue has more than one case.
    for (const [i, type] of ['high_altitude_throw', 'illegal_parking', 'fire_smoke'].entries()) {
      const other = cams.filter((d) => d.gridId !== cam.gridId)[i * 3]!;
      const res = await fetch(`${server.url}/api/v1/demo-${other.code}/telemetry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ detection: { type, confidence: 0.97 } }),
      });
      expect(res.status).toBe(200);
    }

    // It reaches the worker's list live (no reload), with the new-task banner.
    const task = worker.page
      .locator('[data-testid=my-tasks] .task[data-state=dispatched]', { hasText: '垃圾堆积/满溢' })
      .first();
    await task.waitFor({ timeout: 20_000 });
    const code = (await task.getAttribute('data-case'))!;
    await expect(worker.page.locator('.banner').textContent()).resolves.toContain('新任务');
    expect(await worker.page.evaluate('window.__tones')).toBeGreaterThanOrEqual(2);
    expect(await task.locator('[data-sla]').getAttribute('data-sla')).toBe('green');
    await worker.page.screenshot({ path: screenshotPath('worker.png') });

    // The alarm reaches the big screen's feed too (the live feed nudges it; its own poll is every 15 s).
    await wall.page.locator('[data-slot=alarms] .alarm').first().waitFor({ timeout: 10_000 });
    // The case figures follow within the case refresh (at most every 5 s): the trend's bars add up
    // to today's cases, and the tiles say how many were reported today.
    const trendTotal = () => wall.page.locator('[data-chart=case-trend]').getAttribute('data-total');
    await expect.poll(async () => Number(await trendTotal()), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    const today = async () => digits(await wall.page.locator('[data-kpi=casesToday] .kpi__value').textContent());
    await expect.poll(today, { timeout: 15_000 }).toBe(Number(await trendTotal()));
    expect(await wall.page.locator('[data-kpi=overdue] .kpi__value').textContent()).toBe('0');
    expect(await wall.page.locator('[data-kpi=onTimeHandlingRate] .kpi__label').textContent()).toBe('按期处置率');
    await wall.page.screenshot({ path: screenshotPath('screen-live.png') });
    await wall.context.close();

    // Accept while the network is gone: the action waits in the queue, then goes through once.
    await task.click();
    const detail = worker.page.locator(`.task-detail[data-case="${code}"]`);
    await detail.locator('[data-testid=case-map][data-ready=true]').waitFor({ timeout: 30_000 });
    await worker.context.setOffline(true);
    await act(worker.page, '.task-detail', 'accept');
    await worker.page.locator('[data-testid=queued]').waitFor();
    await worker.context.setOffline(false);
    await worker.page.locator(`.task-detail[data-case="${code}"][data-state=accepted]`).waitFor({ timeout: 30_000 });
    await worker.page.locator('[data-testid=queued]').waitFor({ state: 'detached' });
    await worker.page.screenshot({ path: screenshotPath('worker-task.png') });
    // Handling with a photo (issue 6): picked from the camera input, uploaded, sent as `upload:<sha>`.
    await worker.page.locator('.task-detail button[data-action=handle]').click();
    const handleForm = worker.page.locator('.task-detail form[data-form=handle]');
    await handleForm.locator('[name=note]').fill('已清运，现场恢复整洁');
    await handleForm
      .locator('input[type=file][capture=environment]')
      .setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: onePixelPng });
    await handleForm.locator('.photo-picker img').waitFor();
    await handleForm.locator('button[type=submit]').click();
    await worker.page.locator(`.task-detail[data-case="${code}"][data-state=handled]`).waitFor();

    // My tasks on the map.
    await worker.page.locator('.task-detail .link-button').first().click();
    await worker.page.locator('nav.phone__tabs button[data-tab=map]').click();
    await worker.page.locator('[data-testid=case-map][data-ready=true]').waitFor({ timeout: 30_000 });
    await worker.page.screenshot({ path: screenshotPath('worker-map.png') });

    // A problem found on patrol, photographed and fixed on the spot (自行处置), reported where the
    // network is gone: the report waits in the queue under its idempotency key and is sent once back.
    await worker.page.locator('nav.phone__tabs button[data-tab=patrol]').click();
    const patrol = worker.page.locator('.report-form');
    await patrol.locator('select[name=category]').selectOption('storefront_mess');
    await patrol.locator('textarea[name=description]').fill('商铺门前堆放纸箱，已督促清理');
    await patrol
      .locator('input[type=file]')
      .setInputFiles({ name: 'patrol.png', mimeType: 'image/png', buffer: onePixelPng });
    await patrol.locator('.photo-picker img').waitFor();
    const patrolMap = patrol.locator('[data-testid=case-map][data-ready=true]');
    await patrolMap.waitFor({ timeout: 30_000 });
    const pbox = (await patrolMap.boundingBox())!;
    await worker.page.mouse.click(pbox.x + pbox.width / 2, pbox.y + pbox.height / 2);
    await patrol.locator('input[name=selfHandle]').check();
    await worker.context.setOffline(true);
    await patrol.locator('button[type=submit]').click();
    const patrolDone = patrol.locator('[role=status]');
    await expect
      .poll(() => patrolDone.textContent(), { timeout: 10_000 })
      .toBe('网络不可用，上报已保存，联网后自动发送');
    await worker.page.locator('[data-testid=queued]').waitFor();
    await worker.page.screenshot({ path: screenshotPath('worker-patrol.png'), fullPage: true });
    await worker.context.setOffline(false);
    await worker.page.locator('[data-testid=queued]').waitFor({ state: 'detached', timeout: 30_000 });
    const patrols = (await (await worker.page.request.get(`${server.url}/api/cases?source=patrol&pageSize=100`)).json())
      .items as { id: string; code: string; description: string }[];
    const patrolCases = patrols.filter((c) => c.description === '商铺门前堆放纸箱，已督促清理');
    expect(patrolCases).toHaveLength(1);
    const patrolCode = patrolCases[0]!.code;

    // The dispatcher sees it (live), verifies and closes it.
    const row = dispatcher.page.locator(`[data-testid=queue] tr[data-case="${code}"][data-state=handled]`);
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    const pane = `.case-detail[data-case="${code}"]`;
    await dispatcher.page.locator(`${pane} [data-testid=case-map][data-ready=true]`).waitFor({ timeout: 30_000 });
    const steps = await dispatcher.page.locator(`${pane} .timeline__step`).count();
    expect(steps).toBeGreaterThanOrEqual(4); // reported, registered, dispatched, accepted, handled
    expect(await dispatcher.page.locator('[data-testid=queue] tbody tr').count()).toBeGreaterThanOrEqual(4);
    const thumb = dispatcher.page.locator(`${pane} img[data-photo^="upload:"]`).first();
    await thumb.waitFor();
    expect(await thumb.getAttribute('src')).toMatch(/^\/api\/uploads\/[0-9a-f]{64}$/);
    await expect.poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    await dispatcher.page.screenshot({ path: screenshotPath('console.png') });
    await act(dispatcher.page, pane, 'verify', { note: '现场核查通过' });
    await dispatcher.page.locator(`.case-detail[data-case="${code}"][data-state=verified]`).waitFor();
    await act(dispatcher.page, pane, 'close');
    await dispatcher.page.locator(`.case-detail[data-case="${code}"][data-state=closed]`).waitFor();

    // The console's connection drops; a case arriving meanwhile still shows up after the reconnect,
    // which asks for what it missed (?since=<last seq>).
    await dispatcher.page.evaluate('window.__sockets.at(-1).close()');
    const missed = cams.filter((d) => d.gridId !== cam.gridId)[10]!;
    const again = await fetch(`${server.url}/api/v1/demo-${missed.code}/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ detection: { type: 'garbage_overflow', confidence: 0.9 } }),
    });
    expect(again.status).toBe(200);
    await dispatcher.page.locator('[data-live=live]').waitFor({ timeout: 20_000 });
    expect(await dispatcher.page.evaluate('window.__sockets.at(-1).url')).toMatch(/[?&]since=\d+/);
    await expect
      .poll(() => dispatcher.page.locator('[data-testid=queue] tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(5);

    // A resident reports a problem in the portal, on the map.
    const resident = await device({ width: 1440, height: 900 });
    await signIn(resident.page, server.url, 'resident');
    expect(new URL(resident.page.url()).pathname).toBe('/report');
    const form = resident.page.locator('.report-form');
    await form.locator('select[name=category]').selectOption('road_damage');
    await form.locator('textarea[name=description]').fill('小区门口人行道破损，有积水');
    const map = form.locator('[data-testid=case-map][data-ready=true]');
    await map.waitFor({ timeout: 30_000 });
    const box = (await map.boundingBox())!;
    await resident.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await form.locator('[data-testid=picked]').waitFor();
    await form
      .locator('input[type=file]')
      .setInputFiles({ name: 'pavement.png', mimeType: 'image/png', buffer: onePixelPng });
    await form.locator('.photo-picker img').waitFor();
    const contact = form.locator('[data-testid=contact]');
    await contact.locator('[name=reporterName]').fill('王小红');
    await contact.locator('[name=reporterPhone]').fill('13911112222');
    await contact.locator('[name=reporterEmail]').fill('wang.xh@example.cn');
    await resident.page.screenshot({ path: screenshotPath('report-form.png'), fullPage: true });
    await form.locator('button[type=submit]').click();
    const done = form.locator('[role=status]');
    await expect.poll(() => done.textContent(), { timeout: 10_000 }).toMatch(/^已提交，案件编号 \d+$/);
    const reportCode = (await done.textContent())!.replace(/\D/g, '');
    await resident.page.locator(`[data-testid=my-reports] .task[data-case="${reportCode}"]`).waitFor();
    await resident.page.screenshot({ path: screenshotPath('report.png') });

    // The dispatcher registers it and sends it to the grid worker.
    const reportRow = dispatcher.page.locator(`[data-testid=queue] tr[data-case="${reportCode}"]`);
    await reportRow.waitFor({ timeout: 20_000 });
    await reportRow.click();
    const reportPane = `.case-detail[data-case="${reportCode}"]`;
    // The resident's photo and contact details, in full for the dispatcher of the case.
    await dispatcher.page.locator(`${reportPane} img[data-photo^="upload:"]`).first().waitFor();
    expect(await dispatcher.page.locator(`${reportPane} [data-testid=reporter]`).textContent()).toBe(
      '王小红 · 13911112222 · wang.xh@example.cn',
    );
    await dispatcher.page.locator(`${reportPane} [data-testid=case-map][data-ready=true]`).waitFor({ timeout: 30_000 });
    await dispatcher.page.screenshot({ path: screenshotPath('console-report.png') });
    await act(dispatcher.page, reportPane, 'register');
    await dispatcher.page.locator(`${reportPane}[data-state=registered]`).waitFor();
    await dispatcher.page.locator(`${reportPane} button[data-action=dispatch]`).click();
    await dispatcher.page.locator(`${reportPane} form[data-form=dispatch] input[type=checkbox]`).uncheck();
    const dispatchForm = dispatcher.page.locator(`${reportPane} form[data-form=dispatch]`);
    // The grid workers of the district are offered by name (the grids API names them).
    await dispatchForm.locator('select[name=targetId]').selectOption(workerId);
    await dispatchForm.locator('button[type=submit]').click();
    await dispatcher.page.locator(`${reportPane}[data-state=dispatched]`).waitFor();
    await dispatcher.page.screenshot({ path: screenshotPath('console-dispatch.png') });

    // The worker gets it, accepts and handles it.
    await worker.page.locator('nav.phone__tabs button[data-tab=tasks]').click();
    const reportTask = worker.page.locator(`[data-testid=my-tasks] .task[data-case="${reportCode}"]`);
    await reportTask.waitFor({ timeout: 20_000 });
    await reportTask.click();
    await act(worker.page, '.task-detail', 'accept');
    await worker.page.locator(`.task-detail[data-case="${reportCode}"][data-state=accepted]`).waitFor();
    await act(worker.page, '.task-detail', 'handle', { note: '已修补路面' });
    await worker.page.locator(`.task-detail[data-case="${reportCode}"][data-state=handled]`).waitFor();

    // The dispatcher verifies and closes it.
    await dispatcher.page.locator(`${reportPane}[data-state=handled]`).waitFor({ timeout: 20_000 });
    await act(dispatcher.page, reportPane, 'verify');
    await dispatcher.page.locator(`${reportPane}[data-state=verified]`).waitFor();
    await act(dispatcher.page, reportPane, 'close');
    await dispatcher.page.locator(`${reportPane}[data-state=closed]`).waitFor();

    // The resident rates the result.
    // (the portal follows the report live: no reload)
    await resident.page
      .locator(`[data-testid=my-reports] .task[data-case="${reportCode}"][data-state=closed]`)
      .click({ timeout: 20_000 });
    const open = `.task-detail[data-case="${reportCode}"]`;
    await resident.page.locator(`${open} button[data-action=evaluate]`).click();
    await resident.page.locator(`${open} input[value=satisfied]`).check();
    await resident.page.locator(`${open} form[data-form=evaluate] button[type=submit]`).click();
    await resident.page.locator(`${open}[data-state=evaluated]`).waitFor();
    await resident.page
      .locator(`[data-testid=my-reports] .task[data-case="${reportCode}"][data-state=evaluated]`)
      .waitFor();
    await resident.page.screenshot({ path: screenshotPath('report-rated.png') });

    // The console exports its queue with the current filters: the road-damage cases, as CSV.
    await dispatcher.page.locator('select[name=status]').selectOption('');
    await dispatcher.page.locator('select[name=category]').selectOption('road_damage');
    await dispatcher.page.locator('[data-testid=queue] tbody tr').first().waitFor();
    await expect.poll(() => dispatcher.page.locator('[data-testid=queue] tbody tr').count()).toBe(1);
    const exportLink = dispatcher.page.locator('[data-export=cases-csv]');
    expect(await exportLink.getAttribute('href')).toBe('/api/cases/export?format=csv&category=road_damage');
    const [download] = await Promise.all([dispatcher.page.waitForEvent('download'), exportLink.click()]);
    expect(download.suggestedFilename()).toMatch(/^cases-\d{12}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]!.startsWith('案件编号,来源,类别,标题,问题描述,状态')).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(reportCode);
    expect(lines[1]).toContain('已评价');
    // Contact details masked in a list, even the dispatcher's.
    expect(lines[1]).toContain('王**');
    expect(lines[1]).toContain('139****2222');
    expect(csv).not.toContain('13911112222');
    // The queue on screen is the one exported (a late answer for the old filters never replaces it).
    expect(await dispatcher.page.locator('[data-testid=queue] tbody tr').getAttribute('data-case')).toBe(reportCode);
    await dispatcher.page.screenshot({ path: screenshotPath('console-export.png') });

    // What the API says at the end.
    const final = (await (await dispatcher.page.request.get(`${server.url}/api/cases?status=closed,evaluated`)).json())
      .items as { code: string; state: string; satisfaction: string | null }[];
    expect(final.find((c) => c.code === code)?.state).toBe('closed');
    const patrolCase = (await (await dispatcher.page.request.get(`${server.url}/api/cases?source=patrol`)).json())
      .items as { code: string; state: string; handler: { id: string } | null }[];
    expect(patrolCase.find((c) => c.code === patrolCode)).toMatchObject({
      state: 'handled',
      handler: { id: workerId },
    });
    const patrolDetail = (await (
      await dispatcher.page.request.get(`${server.url}/api/cases/${patrolCases[0]!.id}`)
    ).json()) as {
      timeline: { action: string; photos: string[] }[];
    };
    expect(patrolDetail.timeline.map((step) => step.action)).toEqual(['report', 'selfHandle']);
    expect(patrolDetail.timeline[0]!.photos).toEqual([expect.stringMatching(/^upload:[0-9a-f]{64}$/)]);
    expect(final.find((c) => c.code === reportCode)).toMatchObject({ state: 'evaluated', satisfaction: 'satisfied' });
    expect(pageErrors).toEqual([]);
    expect(outside).toEqual([]);
  });
});
