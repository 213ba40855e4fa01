// 好差评 beyond the logged-in web (issue 8): the link texted to an applicant once a case has its
// result is opened on a phone and rated once (a bad rating asks for a comment; the used link and
// an expired one say so in words); a window clerk records an in-person service on the
// workbench and the hall pad opens its link and rates it (一次一评).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openContext, api, apiLogin, setClock, ADMIN_TOTP, PASSWORD } from './support.mjs';

const HOTEL = '11341500001500162U3000101009000';
const HALL = '六安市政务服务中心';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function upload(base, token, name) {
  const res = await fetch(`${base}/api/v1/uploads?name=${encodeURIComponent(name)}.pdf`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: `%PDF-1.7 ${name}`,
  });
  assert.equal(res.status, 201);
  return (await res.json()).id;
}

/** Files a case for 张三 with every required material. */
async function file(base, token, item, form) {
  const guide = (await api(base, 'GET', `/api/v1/items/${item}`)).json;
  const materials = [];
  for (const m of guide.materials.filter((x) => x.required)) materials.push({ name: m.name, upload: await upload(base, token, m.name) });
  const filed = await api(base, 'POST', '/api/v1/cases', { token, body: { item, form, materials } });
  assert.equal(filed.status, 201, JSON.stringify(filed.json));
  return filed.json.case_no;
}

async function logIn(s, login) {
  const res = await s.context.request.post('/api/v1/auth/login', { data: { login, password: PASSWORD } });
  assert.equal(res.status(), 200);
}

test('the texted link rates a decided case once on a phone; used and expired links say so', async () => {
  const server = await startServer();
  const { base } = server;
  const phone = await openContext(browser, 'phone', base);
  try {
    // 企业登记档案资料查询 is decided at acceptance; the hotel case is refused.
    const archive = (await api(base, 'GET', `/api/v1/items?q=${encodeURIComponent('企业登记档案资料查询')}&department=SCJG`)).json.items[0].code;
    const zhang = await apiLogin(base, '13800000001');
    const decided = await file(base, zhang, archive, { company_name: '六安皖西示范科技有限公司', uscc: '91341500MA2N0001XH', purpose: '企业自查' });
    const refused = await file(base, zhang, HOTEL, { company_name: '六安过期宾馆', uscc: '91341500MA2N0001XH', rooms: 10, beds: 20, address: '六安市金安区' });
    const clerk = await apiLogin(base, 'clerk01');
    assert.equal((await api(base, 'POST', `/api/v1/cases/${decided}/actions`, { token: clerk, body: { action: 'accept' } })).status, 200);
    assert.equal((await api(base, 'POST', `/api/v1/cases/${refused}/actions`, { token: clerk,
      body: { action: 'refuse', reason: '重复申请', legal_basis: '《行政许可法》第三十二条' } })).status, 200);
    assert.equal((await api(base, 'POST', '/api/v1/admin/test/consumers/run')).json.caught_up, true);

    // The texts, as the SMS gateway would send them.
    const admin = await apiLogin(base, 'admin', ADMIN_TOTP);
    const outbox = (await api(base, 'GET', '/api/v1/admin/outbox?limit=20', { token: admin })).json.items;
    const linkIn = (itemName) => {
      const sms = outbox.find((m) => m.body.includes(`“${itemName}”`) && m.body.includes('/rate/'));
      assert.ok(sms, `no rating SMS for ${itemName}`);
      assert.equal(sms.recipient, '138****0001');
      return new URL(sms.body.match(/https?:\/\/\S+\/rate\/[A-Za-z0-9_-]+/)[0]).pathname;
    };
    const link = linkIn('企业登记档案资料查询');
    const expiring = linkIn('旅馆业特种行业许可证核发');

    const page = phone.page;
    await phone.firstLoad(link, 'rate');
    await page.getByRole('heading', { name: '服务评价' }).waitFor();
    await page.getByRole('heading', { name: '企业登记档案资料查询' }).waitFor();
    await page.getByText('六安市市场监督管理局').waitFor();
    assert.ok(!(await page.content()).includes(decided), 'the full case number is on the page');
    // A bad rating needs a comment.
    await page.getByRole('radio', { name: '非常不满意', exact: true }).check();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('差评请填写意见').waitFor();
    await page.getByRole('radio', { name: '满意', exact: true }).check();
    await page.getByRole('checkbox', { name: '办事效率高' }).check();
    await page.getByLabel('意见和建议（选填）').fill('短信一点就能评价，方便');
    await phone.screenshot('rate-sms');
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByRole('heading', { name: '感谢您的评价' }).waitFor();
    await phone.screenshot('rate-thanks');
    const saved = (await api(base, 'GET', `/api/v1/cases/${decided}/evaluation`, { token: zhang })).json;
    assert.equal(saved.channel, 'sms');
    assert.equal(saved.level, 4);
    assert.deepEqual(saved.tags, ['办事效率高']);

    // Opened again: used. The other, after 30 days: expired.
    phone.expectConsoleError(/status of 410/);
    await page.goto(link);
    await page.getByRole('heading', { name: '该评价链接已使用' }).waitFor();
    await setClock(base, '2026-04-02T10:00:00+08:00');
    await page.goto(expiring);
    await page.getByRole('heading', { name: '评价链接已过期' }).waitFor();
    await phone.screenshot('rate-expired');
    assert.equal((await api(base, 'GET', '/api/v1/evaluations/summary?department=GA')).json.total, 0);
    phone.assertNoConsoleErrors();
  } finally {
    await phone.context.close();
    server.stop();
  }
});

test('a clerk records an in-person service and the hall pad rates it once', async () => {
  const server = await startServer();
  const { base } = server;
  const clerk = await openContext(browser, 'desktop', base);
  const pad = await openContext(browser, 'phone', base);
  try {
    await logIn(clerk, 'clerk01');
    await clerk.page.goto('/workbench');
    await clerk.page.getByRole('menuitem', { name: '现场服务评价' }).click();
    await clerk.page.getByRole('heading', { name: '现场服务评价' }).waitFor();
    await clerk.page.getByLabel('服务窗口', { exact: true }).fill('3号窗口');
    await clerk.page.getByLabel('服务内容', { exact: true }).fill('咨询不动产登记所需材料');
    await clerk.page.getByRole('button', { name: '生成评价链接' }).click();
    const url = (await clerk.page.getByTestId('rate-url').innerText()).trim();
    assert.match(url, /\/rate\/[A-Za-z0-9_-]{24}$/);
    await clerk.screenshot('service-event');

    await pad.page.goto(new URL(url).pathname);
    await pad.page.getByRole('heading', { name: '咨询不动产登记所需材料' }).waitFor();
    await pad.page.getByText('3号窗口').waitFor();
    await pad.page.getByRole('radio', { name: '非常满意', exact: true }).check();
    await pad.page.getByText('本次评价为匿名评价').waitFor();
    await pad.page.getByRole('checkbox', { name: '服务态度好' }).check();
    await pad.screenshot('rate-pad');
    await pad.page.getByRole('button', { name: '提交评价' }).click();
    await pad.page.getByRole('heading', { name: '感谢您的评价' }).waitFor();

    // The clerk sees it rated; the hall's public figures count it.
    await clerk.page.getByRole('button', { name: '刷新' }).click();
    await clerk.page.getByText('已评价：非常满意').waitFor();
    const summary = (await api(base, 'GET', `/api/v1/evaluations/summary?department=${encodeURIComponent(HALL)}`)).json;
    assert.equal(summary.total, 1);
    assert.equal(summary.levels['非常满意'], 1);

    // The pad's link is spent.
    pad.expectConsoleError(/status of 410/);
    await pad.page.goto(new URL(url).pathname);
    await pad.page.getByRole('heading', { name: '该评价链接已使用' }).waitFor();
    clerk.assertNoConsoleErrors();
    pad.assertNoConsoleErrors();
  } finally {
    await clerk.context.close();
    await pad.context.close();
    server.stop();
  }
});
