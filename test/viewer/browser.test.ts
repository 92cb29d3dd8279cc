/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// page.evaluate callbacks run in the browser.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DataTypes, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { rowOf } from '../support/rows.js';
import { insertRows, seedRows } from '../support/seed-actions.js';
import { AUDITOR, OUTSIDER } from '../query/audit-log-hosts.js';
import { MOUNT, rawRequest, startViewerHost } from './viewer-host.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts');
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(2)</script>';
const PATH_PAYLOAD = '/notes/<img/src=x/onerror=alert(3)>/<script>alert(4)</script>';
const FORMULA = '=HYPERLINK("http://evil.example/x","click me")';

const database = useTestDatabase();
let host: Awaited<ReturnType<typeof startViewerHost>>;
let browser: Browser;
let notes: Sequelize;

/** What a page did that it must not: dialogs, console errors, uncaught exceptions. */
interface Incidents {
  dialogs: string[];
  errors: string[];
}

async function open(user: object): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: { 'x-test-user': JSON.stringify(user) } });
  return { context, page: await context.newPage() };
}

/** Opens the viewer at query as the auditor, runs steps on the settled page, then requires that no dialog opened and no error was logged. */
async function withoutIncidents(query: string, steps: (page: Page) => Promise<void>): Promise<void> {
  const incidents: Incidents = { dialogs: [], errors: [] };
  const { context, page } = await open(AUDITOR);
  page.on('dialog', (dialog) => {
    incidents.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') incidents.errors.push(message.text());
  });
  page.on('pageerror', (error) => incidents.errors.push(error.message));
  try {
    await page.goto(`${host.server.url}${MOUNT}/${query}`);
    await settled(page);
    await steps(page);
    expect(incidents).toEqual({ dialogs: [], errors: [] });
  } finally {
    await context.close();
  }
}

/** Waits until the table shows the rows for the page's current URL. */
async function settled(page: Page): Promise<void> {
  await page.waitForSelector('main[aria-busy="false"]');
}

const rowIds = (page: Page) => page.$$eval('tbody tr', (rows) => rows.map((row) => Number(row.getAttribute('data-id'))));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
  notes = new Sequelize(database.url, { logging: false });
  const Note = notes.define('Note', { text: DataTypes.STRING, secret: DataTypes.STRING });
  await Note.sync();
  host = await startViewerHost(database.url, (app, audit) => {
    audit.trackChanges(notes);
    app.post('/notes', async (_req, res) => void res.status(201).json(await Note.create({ text: 'first draft', secret: 'hunter2' })));
  });
  await insertRows(host.trail, seedRows(Date.now()));
  const { url } = host.server;
  await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test-user': JSON.stringify(AUDITOR) },
    body: JSON.stringify({ user: 'acika', password: 's3cret-pw' }),
  });
  await rawRequest(url, {
    method: 'POST',
    path: PATH_PAYLOAD,
    headers: { 'user-agent': `${IMG} ${SCRIPT}`, 'content-type': 'application/json', 'x-request-id': 'xss-request' },
    body: JSON.stringify({ note: IMG, more: SCRIPT, [IMG]: 'as a key' }),
  });
  await fetch(`${url}/notes`, { method: 'POST', headers: { 'x-request-id': 'note-request', 'x-test-user': JSON.stringify(AUDITOR) } });
  await rawRequest(url, { path: '/reports/q4?status=500', headers: { 'user-agent': FORMULA, 'x-request-id': 'formula-request' } });
  await host.trail.flush();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await notes?.close();
});

describe('the viewer in Chromium', () => {
  it('V07 saves a screenshot as a test artifact (run first, before the other tests fill the table)', async () => {
    const { context, page } = await open(AUDITOR);
    await page.goto(`${host.server.url}${MOUNT}/?from=7d`);
    await settled(page);
    await page.waitForSelector('.chart svg');
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'viewer.png');
    await page.screenshot({ path: file, fullPage: false });
    expect(existsSync(file)).toBe(true);
    // The README's picture: refreshed on purpose, so a test run never dirties the checkout.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') copyFileSync(file, path.resolve('docs/viewer.png'));
    await context.close();
  });

  it('V01 loads, and filtering by outcome narrows the rows', async () => {
    const { context, page } = await open(AUDITOR);
    const response = await page.goto(`${host.server.url}${MOUNT}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await settled(page);
    const all = await rowIds(page);
    expect(all.length).toBe(50);
    await page.selectOption('select[name="outcome"]', 'error');
    await page.waitForURL(/outcome=error/);
    await settled(page);
    const outcomes = await page.$$eval('tbody .outcome', (cells) => cells.map((cell) => cell.textContent));
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.length).toBeLessThan(all.length);
    expect(new Set(outcomes)).toEqual(new Set(['error']));
    await context.close();
  });

  it('V02 walks three pages older without repeating a row, and back newer', async () => {
    const { context, page } = await open(AUDITOR);
    await page.goto(`${host.server.url}${MOUNT}/?limit=10`);
    await settled(page);
    const pages = [await rowIds(page)];
    for (let i = 0; i < 2; i++) {
      await page.click('text=Older →');
      await page.waitForURL(/cursor=/);
      await page.waitForFunction((first) => document.querySelector('tbody tr')?.getAttribute('data-id') !== String(first), pages.at(-1)![0]);
      await settled(page);
      pages.push(await rowIds(page));
    }
    const seen = pages.flat();
    expect(pages.map((ids) => ids.length)).toEqual([10, 10, 10]);
    expect(new Set(seen).size).toBe(30);
    await page.click('text=← Newer');
    await page.waitForFunction((first) => document.querySelector('tbody tr')?.getAttribute('data-id') === String(first), pages[1]![0]);
    expect(await rowIds(page)).toEqual(pages[1]);
    await context.close();
  });

  it('V03 the detail, opened and closed from the keyboard, shows the sanitized body: [REDACTED] for the password', async () => {
    const { context, page } = await open(AUDITOR);
    await page.goto(`${host.server.url}${MOUNT}/?resource=${encodeURIComponent('/login')}`);
    await settled(page);
    await page.focus('tbody tr');
    await page.keyboard.press('Enter');
    const dialog = await page.waitForSelector('dialog[open]');
    const text = await dialog.textContent();
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain('s3cret-pw');
    expect(text).toContain('acika');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog:not([open])', { state: 'attached' });
    // Keyboard only: focus is back on the row it left, and the arrow keys walk the rows.
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-id'));
    const rows = await rowIds(page);
    expect(await focused()).toBe(String(rows[0]));
    await page.goto(`${host.server.url}${MOUNT}/`);
    await settled(page);
    const all = await rowIds(page);
    await page.focus('tbody tr');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe(String(all[1]));
    await context.close();
  });

  it('V04 script and img payloads in the user agent, path and body render as text: no dialog, no console error', () =>
    withoutIncidents('', async (page) => {
      await page.waitForSelector('.report');
      const row = page.locator('tbody tr', { hasText: '<img/src=x/onerror=alert(3)>' });
      expect(await row.locator('td.resource').textContent()).toBe(PATH_PAYLOAD);
      await row.click();
      const dialog = await page.waitForSelector('dialog[open]');
      const text = (await dialog.textContent()) ?? '';
      expect(text).toContain(`${IMG} ${SCRIPT}`); // the user agent
      expect(text).toContain(PATH_PAYLOAD);
      expect(text).toContain(`"${IMG}"`); // the body's value, shown as a JSON string
      const injected = await page.evaluate(() => ({
        images: document.querySelectorAll('img').length,
        scripts: [...document.scripts].map((script) => script.getAttribute('src')),
      }));
      expect(injected).toEqual({ images: 0, scripts: [`${MOUNT}/viewer/app.js`] });
      await page.waitForTimeout(300); // an onerror would fire right after the image failed
    }));

  it('V05 the CSV export of a =HYPERLINK(…) value is neutralized', async () => {
    const { context, page } = await open(AUDITOR);
    await page.goto(`${host.server.url}${MOUNT}/?requestId=formula-request`);
    await settled(page);
    // The link the page offers, fetched as the browser's context (its user); the file is what a click saves.
    const href = await page.getAttribute('a:text("Export CSV")', 'href');
    expect(href).toContain('requestId=formula-request');
    const response = await page.request.get(href!);
    expect(response.headers()['content-disposition']).toBe('attachment; filename="audit-log.csv"');
    const csv = await response.text();
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example/x"",""click me"")"`);
    expect(lines[1]).not.toMatch(/,"?=HYPERLINK/);
    await context.close();
  });

  it('V06 authorize denying the page answers 403, and the denial is a row', async () => {
    const { context, page } = await open(OUTSIDER);
    const response = await page.goto(`${host.server.url}${MOUNT}/?from=24h`);
    expect(response?.status()).toBe(403);
    const requestId = response!.headers()['x-request-id']!;
    await host.trail.flush();
    const { sequelize } = await host.trail.store();
    expect(await rowOf(sequelize, requestId)).toMatchObject({ outcome: 'permission_denied', response_status: 403, resource: `${MOUNT}/`, username: 'outsider' });
    await context.close();
  });

  it('V09 verifies the tamper-evidence chain when asked, and says it is intact', () =>
    withoutIncidents('', async (page) => {
      await page.getByRole('button', { name: 'Verify the chain' }).click();
      const result = page.locator('.chain p').first();
      await result.filter({ hasText: /^Intact/ }).waitFor();
      expect(await result.textContent()).toMatch(/^Intact: [1-9]\d* links over \d+ rows, \d+ rows from before the chain/);
    }));

  it('V13 the detail of a request shows the data changes it made, the secret redacted', () =>
    withoutIncidents('?requestId=note-request', async (page) => {
      await page.locator('tbody tr').first().click();
      const changes = page.locator('#detail ul.changes li');
      await changes.first().waitFor();
      const text = (await changes.first().textContent()) ?? '';
      expect(text).toMatch(/^\s*create Note \d+/);
      expect(text).toContain('first draft');
      expect(text).toContain('[REDACTED]');
      expect(text).not.toContain('hunter2');
    }));

  it('V08 fits a 360 px screen in dark mode: the table scrolls inside its box, the page does not', async () => {
    const { context, page } = await open(AUDITOR);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${host.server.url}${MOUNT}/`);
    await settled(page);
    const layout = await page.evaluate(() => ({
      pageWidth: document.documentElement.scrollWidth,
      tableScrolls: document.querySelector('.table-scroll')!.scrollWidth > document.querySelector('.table-scroll')!.clientWidth,
      background: getComputedStyle(document.body).backgroundColor,
    }));
    expect(layout).toEqual({ pageWidth: 360, tableScrolls: true, background: 'rgb(20, 23, 28)' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-360-dark.png') });
    await context.close();
  });
});
