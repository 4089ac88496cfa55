// The app starts with a PDF path on its command line, shows its main window
// and lists the file; measures cold start to an interactive page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { appMemory, startApp, tempDir, writeTinyPdf } from '../lib/session.js';

const TITLE = 'KýSố — Ký số văn bản';
const FILE_NAME = 'Công văn số 12 — Quyết định đóng dấu.pdf';

let s;
let docDir;
let pdf;

before(async () => {
  docDir = tempDir('kyso-e2e-docs-');
  pdf = writeTinyPdf(path.join(docDir, FILE_NAME));
  // A flag first: the shell ignores arguments starting with '-'.
  s = await startApp({ name: '00-launch', args: ['--e2e', pdf] });
});

after(async () => {
  await s?.close();
  if (docDir) fs.rmSync(docDir, { recursive: true, force: true });
});

test('cold start to an interactive window', async () => {
  // First element that only exists once the page has run, `opened_files` answered
  // and the file was added to the queue.
  const item = await s.browser.$('[data-testid="doc-item"]');
  await item.waitForExist({ timeout: 30000 });
  const interactiveMs = performance.now() - s.timings.t0;
  s.timings.interactiveMs = interactiveMs;
  console.log(
    `e2e-timing: cold start to an interactive window: ${(interactiveMs / 1000).toFixed(2)} s ` +
      `(WebDriver session incl. app launch ${(s.timings.sessionMs / 1000).toFixed(2)} s)`,
  );
  // A real interaction: clicking a tab shows its screen.
  const tab = await s.browser.$('[data-testid="nav-inbox"]');
  await tab.click();
  await (await s.browser.$('[data-testid="inbox-add-files"]')).waitForDisplayed({ timeout: 10000 });
  await (await s.browser.$('[data-testid="nav-sign"]')).click();
});

test('memory of the idle app', async () => {
  await s.browser.pause(3000); // let start-up work (token listing, first paint) settle
  const m = appMemory();
  assert.ok(m && m.totalKiB > 0, 'the app process was not found');
  const mib = (k) => (k / 1024).toFixed(1);
  const parts = m.parts.map((p) => `${p.agent ? 'token agent' : p.comm} ${mib(p.pssKiB)}`).join(' + ');
  console.log(`e2e-timing: idle app memory: PSS ${mib(m.totalPssKiB)} MiB = ${parts}; RSS ${mib(m.totalKiB)} MiB`);
});

test('window title', async () => {
  assert.equal(await s.browser.getTitle(), 'KýSố — Ký số văn bản PDF'); // the page's own, in Vietnamese
  const titles = s.windowTitles();
  if (titles !== null) {
    // The native (GTK) window title, as the desktop shows it.
    assert.ok(titles.includes(TITLE), `X window titles: ${JSON.stringify(titles)}`);
  }
});

test('the PDF given on the command line is in the queue to sign', async () => {
  const item = await s.browser.$('[data-testid="doc-item"]');
  const text = await item.getText();
  assert.ok(text.includes(FILE_NAME.replace(/\.pdf$/, '')), `doc-item text: ${text}`);
  assert.equal(await item.getAttribute('data-status'), 'pending');
});

test('screenshot', async () => {
  const file = await s.screenshot('00-launch');
  assert.ok(fs.statSync(file).size > 1000, `screenshot ${file} too small`);
  s.screenshotDisplay('00-launch'); // whole Xvfb screen, best effort
  console.log(`e2e-artifact: ${file}`);
});
