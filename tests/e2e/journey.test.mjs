// The citizen's whole journey through the web, in Debian's Chromium, on a phone-sized and a
// desktop viewport: register (ID checked as typed, SMS code), find the hotel licence by a
// colloquial search, read its guide, apply with uploads, receive a one-time correction notice
// at the window, correct it; the clerk accepts; the police and the fire brigade approve in
// parallel; the police decide; the e-licence is issued; the citizen finds it in the wallet,
// follows the QR code printed on its PDF to the verification page, and rates the service.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, launchBrowser, openContext, api, apiLogin, lastSmsCode, residentId, ADMIN_TOTP, PASSWORD,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const pdf = (text) => ({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.7\n${text}\n%%EOF`) });

/** Logs a member of staff in through the login page (staff land on the workbench). */
async function staffLogin(s, login) {
  await s.context.clearCookies();  // the previous member of staff's session
  await s.page.goto('/login');
  await s.page.getByLabel('手机号、身份证号或工号').fill(login);
  await s.page.getByRole('textbox', { name: '密码', exact: true }).fill(PASSWORD);
  await s.page.getByRole('button', { name: '登录', exact: true }).click();
  await s.page.waitForURL(/\/workbench/);
}

/** Opens a case on the workbench and runs one action dialog to its success message. */
async function caseAction(s, no, button, confirm, success, fill) {
  await s.page.goto(`/workbench/cases/${no}`);
  await s.page.getByRole('button', { name: button, exact: true }).click();
  const dialog = s.page.getByRole('dialog');
  if (fill) await fill(dialog);
  await dialog.getByRole('button', { name: confirm }).click();
  await s.page.getByText(success).first().waitFor();
}

for (const viewport of ['phone', 'desktop']) {
  test(`a citizen's journey from registration to a rated service (${viewport})`, async () => {
    const server = await startServer();
    const { base } = server;
    const citizen = await openContext(browser, viewport, base);
    const staff = await openContext(browser, viewport, base);
    try {
      const page = citizen.page;
      const admin = await apiLogin(base, 'admin', ADMIN_TOTP);

      // ---- the portal's home and registration
      await citizen.firstLoad('/', 'home');
      await page.getByRole('heading', { name: '我要办事' }).waitFor();
      await citizen.screenshot('home');

      const phone = viewport === 'phone' ? '13912340001' : '13912340002';
      const idNumber = residentId('19880808', viewport === 'phone' ? 101 : 102);
      await page.goto('/register');
      await page.getByLabel('姓名').fill('周晓梅');
      // A wrong check digit is refused as it is typed.
      await page.getByLabel('居民身份证号码').fill(idNumber.slice(0, 17) + (idNumber.endsWith('1') ? '2' : '1'));
      await page.getByLabel('居民身份证号码').blur();
      await page.getByText(/校验码/).first().waitFor();
      await page.getByLabel('居民身份证号码').fill(idNumber);
      await page.getByLabel('手机号码').fill(phone);
      await page.getByRole('button', { name: '获取验证码' }).click();
      await page.getByText(/秒后|重新获取/).first().waitFor();
      await page.getByLabel('短信验证码').fill(await lastSmsCode(base, admin, phone));
      await page.getByLabel('设置密码').fill('Zhou@2026pass');
      await page.getByLabel('确认密码').fill('Zhou@2026pass');
      await citizen.screenshot('register');
      await page.getByRole('button', { name: '注册', exact: true }).click();
      await page.waitForURL(/\/me/);

      // The item asks for real-name level 2: the citizen shows the ID card at a window, where
      // the clerk verifies the account (a workbench action without a page of its own yet).
      const me = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).account);
      assert.equal(me.name, '周晓梅');
      const clerkToken = await apiLogin(base, 'clerk01');
      const verified = await api(base, 'POST', `/api/v1/admin/accounts/${me.id}/verify`, { token: clerkToken });
      assert.equal(verified.status, 200, JSON.stringify(verified.json));

      // ---- a colloquial search finds the hotel licence; its guide; apply
      await page.goto('/');
      await page.getByRole('textbox', { name: '搜索办事事项' }).fill('开宾馆');
      await page.getByRole('textbox', { name: '搜索办事事项' }).press('Enter');
      await page.waitForURL(/\/search\?/);
      await page.getByRole('link', { name: '旅馆业特种行业许可证核发' }).first().click();
      await page.waitForURL(/\/items\//);
      await page.getByRole('heading', { name: '申请材料' }).waitFor();
      await page.getByRole('heading', { name: '办理流程' }).waitFor();
      await citizen.screenshot('guide');
      await page.getByRole('link', { name: '在线办理' }).first().click();
      await page.waitForURL(/\/apply\//);

      await page.getByLabel('旅馆名称').fill('六安周氏宾馆');
      await page.getByLabel('统一社会信用代码').fill('91341500MA2N0001XH');
      await page.getByLabel('客房数').fill('24');
      await page.getByLabel('床位数').fill('40');
      await page.getByLabel('经营地址').fill('六安市金安区梅山南路 18 号');
      await citizen.screenshot('apply-form');
      await page.getByRole('button', { name: '下一步' }).click();
      await page.getByRole('heading', { name: '第二步：上传材料' }).waitFor();
      for (const material of ['特种行业许可证申请登记表', '营业执照', '经营场所房屋产权证明或者租赁合同',
        '法定代表人（负责人）居民身份证', '场所平面图及安全防范设施配置说明'])
        await page.getByLabel(`选择文件：${material}`).setInputFiles(pdf(material));
      await page.getByRole('button', { name: '重新上传' }).nth(4).waitFor();
      await citizen.screenshot('apply-materials');
      await page.getByRole('button', { name: '下一步' }).click();
      await page.getByRole('heading', { name: '第三步：确认提交' }).waitFor();
      await page.getByRole('button', { name: '提交申请' }).click();
      await page.getByRole('heading', { name: '申请已提交' }).waitFor();
      const no = (await page.getByText(/办件编号：/).first().innerText()).match(/办件编号：\s*(\S+)/)[1];
      await citizen.screenshot('apply-done');

      // ---- the clerk sends a one-time correction notice for the floor plan
      await staffLogin(staff, 'clerk01');
      await staff.firstLoad('/workbench', 'workbench');
      await staff.page.getByText(no).first().waitFor();
      await staff.screenshot('workbench');
      await caseAction(staff, no, '补正告知', '确认发送', '补正告知已发送', async (dialog) => {
        await dialog.getByRole('checkbox', { name: '场所平面图及安全防范设施配置说明' }).check();
        await dialog.getByRole('textbox', { name: '场所平面图及安全防范设施配置说明 的补正原因' }).fill('平面图未标注安全出口');
        await dialog.getByRole('button', { name: '预览告知书' }).click();
        await dialog.getByText('平面图未标注安全出口').first().waitFor();
      });

      // ---- the citizen corrects it in one click
      await page.goto(`/me/cases/${no}`);
      await page.getByRole('heading', { name: '补正告知（一次性告知）' }).waitFor();
      await page.getByText('平面图未标注安全出口').first().waitFor();
      await page.getByLabel('选择文件：场所平面图及安全防范设施配置说明').setInputFiles(pdf('平面图（已标注安全出口）'));
      await page.getByRole('button', { name: '重新上传' }).first().waitFor();
      await page.getByRole('button', { name: '提交补正材料' }).click();
      await page.getByText(/补正材料已提交|已提交补正/).first().waitFor();

      // ---- accepted at the window; police and fire approve in parallel; the police decide
      await caseAction(staff, no, '受理', '确认受理', '已受理');
      await staff.screenshot('case-accepted');
      await staffLogin(staff, 'approver02');
      await caseAction(staff, no, '审批办理', '提交审批', '审批意见已提交', async (dialog) => {
        await dialog.getByRole('textbox', { name: '审批意见' }).fill('治安条件符合要求');
      });
      await staffLogin(staff, 'fire01');
      await caseAction(staff, no, '审批办理', '提交审批', '审批意见已提交', async (dialog) => {
        await dialog.getByRole('textbox', { name: '审批意见' }).fill('消防安全检查合格');
      });
      await staffLogin(staff, 'approver02');
      await caseAction(staff, no, '作出决定', '确认决定', '已作出决定', async (dialog) => {
        await dialog.getByRole('textbox', { name: '决定意见' }).fill('准予许可');
      });
      await staff.screenshot('case-decided');

      // ---- the licence is issued from the case's events; the citizen finds it in the wallet
      await page.goto('/me?tab=licences');
      let found = false;
      for (let i = 0; i < 50 && !found; ++i) {
        found = await page.getByText('特种行业许可证').first().isVisible();
        if (!found) {
          await page.waitForTimeout(200);
          await page.reload();
        }
      }
      assert.ok(found, 'the licence did not reach the wallet');
      await citizen.screenshot('wallet');

      // The QR code printed on the PDF leads to the verification page.
      const pdfLink = page.getByRole('link', { name: '下载 PDF' }).first();
      const pdfResponse = await page.request.get(await pdfLink.getAttribute('href'));
      assert.equal(pdfResponse.status(), 200);
      const dir = mkdtempSync(join(tmpdir(), 'tongban-e2e-pdf-'));
      writeFileSync(join(dir, 'licence.pdf'), await pdfResponse.body());
      execFileSync('pdftoppm', ['-r', '150', '-png', 'licence.pdf', 'page'], { cwd: dir });
      const qr = execFileSync('zbarimg', ['--quiet', '--raw', 'page-1.png'], { cwd: dir, encoding: 'utf8' }).trim();
      rmSync(dir, { recursive: true, force: true });
      assert.match(qr, new RegExp(`^${base}/verify/`));
      await citizen.firstLoad(qr.slice(base.length), 'verify');
      await page.getByRole('heading', { name: '有效' }).waitFor();
      await page.getByText('签章验证通过').first().waitFor();
      await citizen.screenshot('verify');

      // ---- the citizen rates the service
      await page.goto(`/me/cases/${no}`);
      await page.getByRole('heading', { name: '好差评' }).waitFor();
      await page.getByText('非常满意', { exact: true }).first().click();
      await page.getByLabel('意见和建议').fill('材料一次讲清楚，审批很快');
      await page.getByRole('button', { name: '提交评价' }).click();
      await page.getByText(/感谢您的评价|评价已提交/).first().waitFor();
      await citizen.screenshot('rated');
      const rated = await page.evaluate(async () => (await (await fetch('/api/v1/me/evaluations')).json()).items);
      assert.equal(rated.length, 1);
      assert.equal(rated[0].case_no, no);
      assert.equal(rated[0].level, 5);

      citizen.assertNoConsoleErrors();
      staff.assertNoConsoleErrors();
    } finally {
      await citizen.context.close();
      await staff.context.close();
      server.stop();
    }
  });
}
