// The harness's own check: "no console errors" means something only if an error is seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openContext } from './support.mjs';

test('a console error or an uncaught exception on a page is caught by the harness', async () => {
  const browser = await launchBrowser();
  try {
    const s = await openContext(browser, 'desktop', 'http://127.0.0.1:9');
    await s.page.setContent('<p>probe</p>');
    await s.page.evaluate(() => console.error('探针：控制台错误'));
    await s.page.evaluate(() => setTimeout(() => { throw new Error('探针：未捕获的异常'); }));
    await s.page.waitForTimeout(100);
    assert.throws(() => s.assertNoConsoleErrors(), /探针：控制台错误[\s\S]*探针：未捕获的异常/);
  } finally {
    await browser.close();
  }
});
