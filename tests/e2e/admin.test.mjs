// The catalogue's editing loop through the admin console: a department administrator
// (password and TOTP) changes an item's promised time limit (a limit shorter than its
// workflow is refused first, nothing saved) and submits the new version;
// the catalogue reviewer publishes it; the portal's service guide then shows the new version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openContext, api, serverTotp, PASSWORD, ADMIN_TOTP } from './support.mjs';

const FOOD_LICENCE = '11341500001500138B3000117001000';  // 食品经营许可证核发, market supervision (SCJG)

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function logIn(s, base, login, totpSecret) {
  await s.page.goto('/login');
  await s.page.getByLabel('手机号、身份证号或工号').fill(login);
  await s.page.getByRole('textbox', { name: '密码', exact: true }).fill(PASSWORD);
  await s.page.getByRole('button', { name: '登录', exact: true }).click();
  if (totpSecret) {
    await s.page.getByLabel('6 位动态口令').fill(await serverTotp(base, totpSecret));
    await s.page.getByRole('button', { name: '验证', exact: true }).click();
  }
  await s.page.waitForURL(/\/workbench|\/admin/);
}

test('an item edited by its department, published by the reviewer, shown by the portal (desktop)', async () => {
  const server = await startServer();
  const { base } = server;
  const editor = await openContext(browser, 'desktop', base);
  const reviewer = await openContext(browser, 'desktop', base);
  const visitor = await openContext(browser, 'desktop', base);
  try {
    const before = (await api(base, 'GET', `/api/v1/items/${FOOD_LICENCE}`)).json;
    assert.equal(before.version, 1);
    const promised = before.promised_limit_days + 1;
    assert.ok(promised <= before.statutory_limit_days);

    // ---- the market supervision's administrator edits and submits version 2
    await logIn(editor, base, 'deptadmin01', ADMIN_TOTP);
    await editor.page.goto(`/admin/items/${FOOD_LICENCE}`);
    await editor.page.getByRole('tab', { name: '时限与收费' }).click();
    // A promised limit shorter than the workflow's steps is refused by the server and
    // nothing is saved.
    editor.expectConsoleError(/status of 422/);
    await editor.page.getByLabel('承诺办结时限（工作日）').fill(String(before.promised_limit_days - 1));
    await editor.page.getByRole('button', { name: '保存草稿' }).click();
    await editor.page.getByText('事项有误，未保存').first().waitFor();
    await editor.page.getByText(/各环节时限之和.*超过承诺时限/).first().waitFor();
    const versions = await editor.page.evaluate(async (code) =>
      (await (await fetch(`/api/v1/admin/items/${code}/versions`)).json()).items.length, FOOD_LICENCE);
    assert.equal(versions, 1);
    await editor.page.getByLabel('承诺办结时限（工作日）').fill(String(promised));
    await editor.page.getByRole('button', { name: '保存草稿' }).click();
    await editor.page.getByText('已保存为草稿 v2').first().waitFor();
    await editor.screenshot('admin-item-editor');
    await editor.page.getByRole('button', { name: '提交审核' }).click();
    await editor.page.getByText('v2 已提交审核').first().waitFor();
    // Submitted is not published: the portal still shows version 1.
    assert.equal((await api(base, 'GET', `/api/v1/items/${FOOD_LICENCE}`)).json.version, 1);

    // ---- the catalogue reviewer compares and publishes it
    await logIn(reviewer, base, 'reviewer01');
    await reviewer.page.goto(`/admin/items/${FOOD_LICENCE}`);
    await reviewer.page.getByRole('button', { name: '审核通过并发布' }).click();
    await reviewer.page.getByRole('dialog').getByRole('button', { name: '确认发布' }).click();
    await reviewer.page.getByText('v2 已审核通过并发布').first().waitFor();

    // ---- the portal shows the new version
    await visitor.page.goto(`/items/${FOOD_LICENCE}`);
    await visitor.page.getByRole('heading', { name: '食品经营许可证核发' }).first().waitFor();
    await visitor.page.getByText(/第 2 版/).first().waitFor();
    await visitor.page.getByText(`${promised} 个工作日`).first().waitFor();
    await visitor.screenshot('guide-new-version');
    const after = (await api(base, 'GET', `/api/v1/items/${FOOD_LICENCE}`)).json;
    assert.equal(after.version, 2);
    assert.equal(after.promised_limit_days, promised);

    for (const s of [editor, reviewer, visitor]) s.assertNoConsoleErrors();
  } finally {
    for (const s of [editor, reviewer, visitor]) await s.context.close();
    server.stop();
  }
});
