// Accessibility checks in the browser: the large-text elder mode (适老化) and its memory,
// keyboard navigation (skip link, focus), and WCAG 2.1 AA contrast (4.5:1 for text, 3:1 for
// large text) of every visible text on the main portal pages, computed from the rendered
// colours — pages with a failing text fail the test with the text and its ratio.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openContext, lowContrastTexts } from './support.mjs';

const HOTEL = '11341500001500162U3000101009000';
let browser, server;
before(async () => {
  browser = await launchBrowser();
  server = await startServer();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

test('the portal\'s main pages have WCAG AA contrast for every visible text', async () => {
  for (const path of ['/', '/search?q=开宾馆', `/items/${HOTEL}`, '/progress', '/stats', '/login', '/register', '/departments/GA']) {
    const s = await openContext(browser, 'desktop', server.base);
    try {
      await s.page.goto(path);
      await s.page.getByRole('heading').first().waitFor();
      await s.page.waitForLoadState('networkidle');
      const failures = await s.page.evaluate(lowContrastTexts);
      assert.deepEqual(failures, [], `${path}: texts below AA contrast:\n${failures.join('\n')}`);
      s.assertNoConsoleErrors();
    } finally {
      await s.context.close();
    }
  }
});

test('the elder mode enlarges the text, says so on its button and is remembered', async () => {
  const s = await openContext(browser, 'phone', server.base);
  try {
    await s.page.goto('/');
    const size = () => s.page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const normal = await size();
    await s.page.getByRole('button', { name: '长辈版' }).click();
    assert.ok((await size()) >= normal * 1.3, `${await size()} vs ${normal}`);
    await s.page.getByRole('button', { name: '标准版', pressed: true }).waitFor();
    await s.page.reload();
    assert.ok((await size()) >= normal * 1.3, 'the elder mode survives a reload');
    await s.screenshot('home-elder');
    await s.page.getByRole('button', { name: '标准版' }).click();
    assert.equal(await size(), normal);
    s.assertNoConsoleErrors();
  } finally {
    await s.context.close();
  }
});

test('the keyboard reaches the content first and can search and open a guide', async () => {
  const s = await openContext(browser, 'desktop', server.base);
  try {
    await s.page.goto('/');
    await s.page.getByRole('heading', { name: '我要办事' }).waitFor();
    await s.page.keyboard.press('Tab');
    assert.equal(await s.page.evaluate(() => document.activeElement?.textContent?.trim()), '跳到主要内容');
    await s.page.keyboard.press('Enter');
    assert.equal(await s.page.evaluate(() => document.activeElement?.id), 'main');
    // Tab into the search box, type, submit with Enter: no mouse.
    for (let i = 0; i < 10; ++i) {
      await s.page.keyboard.press('Tab');
      if (await s.page.evaluate(() => document.activeElement?.getAttribute('aria-label') === '搜索办事事项')) break;
    }
    assert.equal(await s.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), '搜索办事事项');
    await s.page.keyboard.type('开宾馆');
    await s.page.keyboard.press('Enter');
    await s.page.waitForURL(/\/search\?/);
    s.assertNoConsoleErrors();
  } finally {
    await s.context.close();
  }
});
