// Files dropped on the window become documents only through the shell: the
// operating system's drop (dropFiles: the debug-build stand-in for it) is turned into
// handles the shell minted and sent to the page as `files-dropped`; the page's own
// listener adds them to the list of the screen it shows.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { dropFiles, startApp, tempDir, writeTinyPdf } from '../lib/session.js';

let s;
let docDir;
let files;

before(async () => {
  docDir = tempDir('kyso-e2e-drop-');
  files = ['Tờ trình kéo thả.pdf', 'Báo cáo quý 3.pdf'].map((n) => writeTinyPdf(path.join(docDir, n)));
  s = await startApp({ name: '01-drop-event' });
  await (await s.browser.$('[data-testid="doc-list"]')).waitForExist({ timeout: 30000 });
});

after(async () => {
  await s?.close();
  if (docDir) fs.rmSync(docDir, { recursive: true, force: true });
});

test('a drop reaches the page as handles, never as paths', async () => {
  await s.browser.execute(() => {
    window.__e2eGranted = [];
    window.__TAURI_INTERNALS__.invoke('plugin:event|listen', {
      event: 'files-dropped',
      target: { kind: 'Any' },
      handler: window.__TAURI_INTERNALS__.transformCallback((e) => window.__e2eGranted.push(e.payload)),
    });
  });
  await dropFiles(s.browser, files);
  await s.browser.waitUntil(async () => (await s.browser.execute(() => window.__e2eGranted.length)) > 0,
    { timeout: 10000, timeoutMsg: 'no files-dropped event' });
  const [payload] = await s.browser.execute(() => window.__e2eGranted);
  assert.deepEqual(payload.files.map((f) => f.name), files.map((f) => path.basename(f)));
  for (const f of payload.files) assert.match(f.handle, /^[0-9a-f]{32}$/);
  assert.ok(!JSON.stringify(payload).includes(docDir), 'no path reaches the page');
});

test("the app's own listener adds dropped PDFs to the screen's list", async () => {
  await s.browser.waitUntil(async () => (await s.browser.$$('[data-testid="doc-item"]')).length >= 2,
    { timeout: 20000, timeoutMsg: 'dropped files never reached the Ký list' });
  const texts = [];
  for (const row of await s.browser.$$('[data-testid="doc-item"]')) texts.push(await row.getText());
  for (const n of ['Tờ trình kéo thả', 'Báo cáo quý 3']) {
    assert.ok(texts.some((t) => t.includes(n)), `${n} not listed: ${JSON.stringify(texts)}`);
  }
  await s.screenshot('01-keo-tha-tep');
});
