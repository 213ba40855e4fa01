// Supervision in the browser (issue 8): a case accepted before the Spring Festival goes past
// its deadline on the test clock; the alert appears on the police approver's workbench and on
// the supervisor's board, whose chart and counts show the overdue case; the supervisor drills
// down to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openContext, api, apiLogin, setClock, PASSWORD } from './support.mjs';

const HOTEL = '11341500001500162U3000101009000';
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

async function logIn(s, login) {
  const res = await s.context.request.post('/api/v1/auth/login', { data: { login, password: PASSWORD } });
  assert.equal(res.status(), 200);
}

test('an overdue case raises an alert on the workbench and the supervision board (desktop)', async () => {
  const server = await startServer({ now: '2026-02-12T09:00:00+08:00' });
  const { base } = server;
  const approver = await openContext(browser, 'desktop', base);
  const supervisor = await openContext(browser, 'desktop', base);
  try {
    // Filed and accepted on Thu 12 February (10 working days → due Wed 4 March, after the holiday).
    const zhang = await apiLogin(base, '13800000001');
    const item = (await api(base, 'GET', `/api/v1/items/${HOTEL}`)).json;
    const materials = [];
    for (const m of item.materials.filter((x) => x.required)) materials.push({ name: m.name, upload: await upload(base, zhang, m.name) });
    const filed = await api(base, 'POST', '/api/v1/cases', { token: zhang, body: {
      item: HOTEL, materials,
      form: { company_name: '六安迟办宾馆', uscc: '91341500MA2N0001XH', rooms: 10, beds: 20, address: '六安市裕安区' } } });
    assert.equal(filed.status, 201, JSON.stringify(filed.json));
    const no = filed.json.case_no;
    const clerk = await apiLogin(base, 'clerk01');
    const accepted = await api(base, 'POST', `/api/v1/cases/${no}/actions`, { token: clerk, body: { action: 'accept' } });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.json));

    // Thursday 5 March: one day past the deadline; the consumers run.
    await setClock(base, '2026-03-05T09:00:00+08:00');
    const run = await api(base, 'POST', '/api/v1/admin/test/consumers/run');
    assert.equal(run.json.caught_up, true);

    await logIn(approver, 'approver02');
    await approver.page.goto('/workbench');
    const alerts = approver.page.getByRole('region', { name: '本部门监察预警' });
    await alerts.getByText(no).first().waitFor();
    await alerts.getByText('已超期').first().waitFor();
    await approver.screenshot('workbench-alert');

    await logIn(supervisor, 'supervisor01');
    await supervisor.page.goto('/dashboard');
    const board = supervisor.page.getByRole('region', { name: '监察预警与异常' });
    await board.getByText(no).first().waitFor();
    await supervisor.page.getByRole('button', { name: /超期办件 1 件/ }).click();
    await supervisor.page.getByText('六安迟办宾馆').or(supervisor.page.getByText(no)).first().waitFor();
    await supervisor.screenshot('board-overdue');

    approver.assertNoConsoleErrors();
    supervisor.assertNoConsoleErrors();
  } finally {
    await approver.context.close();
    await supervisor.context.close();
    server.stop();
  }
});
