// Every main page of the web, opened cold (a fresh browser context, nothing cached) by the
// user it is for: it renders its heading with real data, every visible text has WCAG AA
// contrast, it logs no console error, it is saved as a
// screenshot, and its first-load time goes to build/e2e/first-load.json (recorded for the
// note, never asserted: machines here are noisy).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openContext, serverTotp, lowContrastTexts, PASSWORD, ADMIN_TOTP } from './support.mjs';

const HOTEL = '11341500001500162U3000101009000';

// [path, heading, who (login and TOTP secret), viewports, further headings the page's data brings]
const PAGES = [
  ['/', '我要办事', null, ['phone', 'desktop']],
  ['/search?q=营业执照', '搜索事项', null, ['phone', 'desktop']],
  ['/departments/GA', '六安市公安局', null, ['phone', 'desktop']],
  ['/scenarios/YJS-KFD', '我要开饭店', null, ['phone', 'desktop']],
  [`/items/${HOTEL}`, '旅馆业特种行业许可证核发', null, ['phone', 'desktop']],
  ['/progress', '办件进度查询', null, ['phone', 'desktop']],
  ['/stats', '政务服务数据公开', null, ['phone', 'desktop'], ['“13550”承诺兑现', '各区划对比']],
  ['/login', '登录', null, ['phone', 'desktop']],
  ['/register', '注册', null, ['phone', 'desktop']],
  ['/me', '我的', ['13800000001'], ['phone', 'desktop']],
  [`/apply/${HOTEL}`, '旅馆业特种行业许可证核发', ['13800000001'], ['phone', 'desktop']],
  ['/workbench', '待办事项', ['clerk01'], ['phone', 'desktop']],
  ['/workbench/window', '综合窗口收件', ['clerk01'], ['desktop']],
  ['/workbench/evaluations', '差评整改', ['approver02'], ['desktop']],
  ['/workbench/service-events', '现场服务评价', ['clerk01'], ['desktop']],
  ['/workbench/hotline-rating', '热线代录评价', ['hotline01'], ['desktop']],
  ['/workbench/orders', '督办回复', ['approver02'], ['desktop']],
  ['/dashboard', '电子监察看板', ['supervisor01'], ['phone', 'desktop']],
  ['/dashboard/indicators', '绩效指标', ['supervisor01'], ['desktop'], ['“13550”承诺兑现', '各区划对比', '各部门对比']],
  ['/dashboard/orders', '督办', ['supervisor01'], ['desktop']],
  ['/dashboard/appeals', '差评申诉', ['supervisor01'], ['desktop']],
  ['/admin/items', '事项管理', ['admin', ADMIN_TOTP], ['desktop']],
  [`/admin/items/${HOTEL}`, '旅馆业特种行业许可证核发', ['admin', ADMIN_TOTP], ['desktop']],
  ['/admin/departments', '部门与区划', ['admin', ADMIN_TOTP], ['desktop']],
  ['/admin/staff', '人员与角色', ['admin', ADMIN_TOTP], ['desktop']],
  ['/admin/calendar', '工作日历', ['admin', ADMIN_TOTP], ['desktop']],
  ['/admin/seals', '电子印章', ['admin', ADMIN_TOTP], ['desktop']],
  ['/admin/oidc', '单点登录接入', ['admin', ADMIN_TOTP], ['desktop']],
  ['/admin/audit', '审计日志', ['auditor01'], ['desktop']],
];

let browser, server;
before(async () => {
  browser = await launchBrowser();
  server = await startServer();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

/** Each user logs in once, through the API with the browser's own cookie jar (a TOTP code is
 *  accepted only once); each page's context starts from that session with an empty cache. */
const sessions = new Map();
async function sessionOf(login, totpSecret) {
  if (sessions.has(login)) return sessions.get(login);
  const context = await browser.newContext({ baseURL: server.base });
  const res = await context.request.post('/api/v1/auth/login', { data: { login, password: PASSWORD } });
  assert.equal(res.status(), 200, await res.text());
  if (totpSecret) {
    const csrf = (await res.json()).csrf_token;
    const code = await serverTotp(server.base, totpSecret);
    const mfa = await context.request.post('/api/v1/auth/mfa', { data: { code }, headers: { 'x-csrf-token': csrf } });
    assert.equal(mfa.status(), 200, await mfa.text());
  }
  const state = await context.storageState();
  await context.close();
  sessions.set(login, state);
  return state;
}

test('every main page renders cold with its data and no console error', async () => {
  for (const [path, heading, who, viewports, more = []] of PAGES) {
    for (const viewport of viewports) {
      const s = await openContext(browser, viewport, server.base, who ? await sessionOf(who[0], who[1]) : undefined);
      try {
        const ms = await s.firstLoad(path, path);
        await s.page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
        await s.recordShown(path);  // the page's own code has run and drawn its heading
        await s.page.waitForLoadState('networkidle');
        for (const h of more) await s.page.getByRole('heading', { name: h, exact: true }).first().waitFor();
        const name = path === '/' ? 'home' : path.slice(1).replace(/[/?=]/g, '_');
        await s.screenshot(`page-${name}`);
        const lowContrast = await s.page.evaluate(lowContrastTexts);
        assert.deepEqual(lowContrast, [], `${path} (${viewport}): texts below WCAG AA contrast:\n${lowContrast.join('\n')}`);
        s.assertNoConsoleErrors();
        assert.ok(ms > 0, path);
      } finally {
        await s.context.close();
      }
    }
  }
});
