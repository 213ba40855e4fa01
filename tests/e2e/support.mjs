// The browser tests' harness: a real tongban server (SQLite, demo seed, test clock) serving
// the built web, and Debian's Chromium driven by playwright-core — never a downloaded browser.
// Each page visited is checked for console errors; screenshots and first-load timings are
// kept under build/e2e/ (timings are recorded for the note, never asserted).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { totpCode } from '../support/totp.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = process.env.TONGBAN_BIN ?? join(root, 'build/release/src/tongban');
export const artifacts = join(root, 'build/e2e');
const dataKey = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';
export const PASSWORD = 'Tongban@2026';
export const ADMIN_TOTP = 'JBSWY3DPEHPK3PXP';

// Phone-sized and desktop viewports; every journey runs on both.
export const VIEWPORTS = {
  phone: { width: 375, height: 812, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { width: 1440, height: 900 },
};

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A fresh server with the demo seed on its own SQLite database. */
export async function startServer({ now = '2026-03-02T09:00:00+08:00' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-e2e-'));
  const env = { ...process.env, TONGBAN_DATA_KEY: dataKey, TONGBAN_NOW: now };
  const db = `sqlite:${dir}/t.db`;
  for (const args of [['migrate', '--db', db, '--data-dir', dir], ['seed', '--db', db, '--data-dir', dir]]) {
    const r = spawnSync(bin, args, { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ['serve', '--db', db, '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--test-clock',
    '--no-access-log', '--web-dir', join(root, 'web/dist'), '--public-url', base, '--consumer-interval-ms', '200'],
  { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  for (let i = 0; i < 500; ++i) {
    try {
      if ((await fetch(base + '/healthz')).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (proc.exitCode !== null) throw new Error('tongban serve exited: ' + stderr);
  }
  return {
    base,
    stop() {
      proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON API calls from the test itself (setup and checks beside the browser). */
export async function api(base, method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export async function apiLogin(base, login, mfaSecret) {
  const res = await api(base, 'POST', '/api/v1/auth/login', { body: { login, password: PASSWORD } });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  if (mfaSecret) {
    const now = Date.parse((await api(base, 'GET', '/api/v1/version')).json.now) / 1000;
    const mfa = await api(base, 'POST', '/api/v1/auth/mfa', { token: res.json.token, body: { code: totpCode(mfaSecret, now) } });
    assert.equal(mfa.status, 200, JSON.stringify(mfa.json));
  }
  return res.json.token;
}

/** The TOTP code the server accepts now (at the server's own clock). */
export async function serverTotp(base, secret = ADMIN_TOTP, offsetSeconds = 0) {
  const now = Date.parse((await api(base, 'GET', '/api/v1/version')).json.now) / 1000;
  return totpCode(secret, now + offsetSeconds);
}

/** Moves the server's test clock. */
export async function setClock(base, now) {
  const res = await api(base, 'POST', '/api/v1/admin/clock', { body: { now, frozen: false } });
  assert.equal(res.status, 200, JSON.stringify(res.json));
}

/** The last SMS code sent to a phone (the platform admin reads the message outbox). */
export async function lastSmsCode(base, adminToken, phone) {
  const res = await api(base, 'GET', '/api/v1/admin/outbox?limit=20', { token: adminToken });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const masked = phone.slice(0, 3) + '****' + phone.slice(7);
  const message = res.json.items.find((m) => m.recipient === masked);
  assert.ok(message, `no SMS to ${masked}`);
  return message.body.match(/验证码是 (\d{6})/)[1];
}

/** A valid resident ID number (GB 11643) for a person born on `birth` (YYYYMMDD). */
export function residentId(birth, serial) {
  const body = '341502' + birth + String(serial).padStart(3, '0');
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--font-render-hinting=none'],
  });
}

const timingsFile = join(artifacts, 'first-load.json');

/** A browser context for one viewport that fails the test on any console error. */
export async function openContext(browser, viewportName, base, storageState) {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewportName], isMobile: VIEWPORTS[viewportName].isMobile,
    hasTouch: VIEWPORTS[viewportName].hasTouch, deviceScaleFactor: VIEWPORTS[viewportName].deviceScaleFactor ?? 1,
    baseURL: base, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', storageState });
  const errors = [];
  context.on('page', (page) => watch(page, errors));
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const expected = [];
  return {
    context,
    page,
    errors,
    /** A refusal the test provokes on purpose (Chromium logs every 4xx answer as an error). */
    expectConsoleError(pattern) {
      expected.push({ pattern, seen: 0 });
    },
    /** Asserts that no page of this context logged an error other than the expected ones, each seen. */
    assertNoConsoleErrors() {
      const unexpected = errors.filter((e) => {
        const hit = expected.find((x) => x.pattern.test(e));
        if (hit) hit.seen++;
        return !hit;
      });
      assert.deepEqual(unexpected, [], 'console errors:\n' + unexpected.join('\n'));
      for (const x of expected) assert.ok(x.seen > 0, `the expected console error ${x.pattern} never came`);
    },
    async screenshot(name) {
      const dir = join(artifacts, 'screenshots', viewportName);
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, name + '.png'), fullPage: true });
    },
    /** Opens `path` as a first visit would and records its load event's time (not asserted). */
    async firstLoad(path, label) {
      await page.goto(path, { waitUntil: 'load' });
      const ms = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return Math.round(nav.loadEventEnd - nav.startTime);
      });
      record(`${viewportName} ${label}`, ms);
      return ms;
    },
    /** Records the time from navigation until now (e.g. the page's data is on screen). */
    async recordShown(label) {
      record(`${viewportName} ${label} (shown)`, Math.round(await page.evaluate(() => performance.now())));
    },
  };
}

function record(key, ms) {
  mkdirSync(artifacts, { recursive: true });
  const all = existsSync(timingsFile) ? JSON.parse(readFileSync(timingsFile, 'utf8')) : {};
  all[key] = ms;
  writeFileSync(timingsFile, JSON.stringify(all, null, 2));
}

function watch(page, errors) {
  page.on('console', (msg) => {
    if (msg.type() === 'error' || (msg.type() === 'warning' && msg.text().startsWith('[Vue warn]')))
      errors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
}

// Runs in the page: every visible text node's contrast against its effective background.
export function lowContrastTexts() {
  const parse = (c) => {
    const m = c.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/);
    return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : null;
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const blend = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  const backgroundOf = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== 'none') return null;  // a picture or gradient: not judged here
      const c = parse(s.backgroundColor);
      if (c && c.a > 0) layers.push(c);
      if (c && c.a === 1) break;
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) bg = blend(layer, bg);
    return bg;
  };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el) continue;
    const s = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (s.visibility === 'hidden' || s.display === 'none' || box.width === 0 || box.height === 0 || +s.opacity === 0) continue;
    if (el.closest('[aria-hidden="true"], .el-input__inner, input, textarea, [disabled], .is-disabled, canvas, svg')) continue;
    const fg = parse(s.color);
    const bg = backgroundOf(el);
    if (!fg || !bg) continue;
    const color = blend(fg, bg);
    const [l1, l2] = [lum(color), lum(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && +s.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(`${text.slice(0, 30)} — ${ratio.toFixed(2)}:1 (${s.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)}))`);
  }
  return failures;
}
