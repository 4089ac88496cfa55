// dropFiles() delivers Tauri's own drag-drop events so that listeners registered
// with the real @tauri-apps/api `getCurrentWebview().onDragDropEvent` (and
// `getCurrentWindow().onDragDropEvent`) fire, with the payload shape of a real drop.
//
// The listener code is the @tauri-apps/api bundle that ships inside the `tauri`
// crate the app is built with (scripts/bundle.global.js, what `withGlobalTauri`
// would inject), loaded into the page through WebDriver. When that file cannot
// be found the test falls back to registering the listeners the way
// webview.js does it (`plugin:event|listen` with target { kind: 'Webview', label }).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, dropFiles, startApp, tempDir, writeTinyPdf } from '../lib/session.js';

/** scripts/bundle.global.js of the tauri crate version in Cargo.lock, or null. */
function tauriApiBundle() {
  const lock = fs.readFileSync(path.join(REPO_ROOT, 'Cargo.lock'), 'utf8');
  const m = lock.match(/\[\[package\]\]\nname = "tauri"\nversion = "([^"]+)"/);
  if (!m) return null;
  const reg = path.join(process.env.CARGO_HOME || path.join(os.homedir(), '.cargo'), 'registry/src');
  if (!fs.existsSync(reg)) return null;
  for (const index of fs.readdirSync(reg)) {
    const f = path.join(reg, index, `tauri-${m[1]}`, 'scripts/bundle.global.js');
    if (fs.existsSync(f)) return { version: m[1], file: f };
  }
  return null;
}

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

test('onDragDropEvent listeners receive a simulated drop', async () => {
  const bundle = process.env.E2E_NO_API_BUNDLE === "1" ? null : tauriApiBundle();
  if (bundle) {
    const src = fs.readFileSync(bundle.file, 'utf8');
    const ok = await s.browser.execute(`${src}\n;return typeof window.__TAURI__?.webview?.getCurrentWebview;`);
    assert.equal(ok, 'function', 'tauri api bundle did not load');
    await s.browser.execute(async () => {
      const got = (window.__e2eDrops = { webview: [], window: [] });
      await window.__TAURI__.webview.getCurrentWebview().onDragDropEvent((e) => got.webview.push(e.payload));
      await window.__TAURI__.window.getCurrentWindow().onDragDropEvent((e) => got.window.push(e.payload));
    });
    console.log(`e2e: listeners from @tauri-apps/api in tauri ${bundle.version} (${bundle.file})`);
  } else {
    await s.browser.execute(async () => {
      const I = window.__TAURI_INTERNALS__;
      const label = I.metadata.currentWebview.label;
      const got = (window.__e2eDrops = { webview: [], window: [] });
      for (const [type, event] of [
        ['enter', 'tauri://drag-enter'],
        ['over', 'tauri://drag-over'],
        ['drop', 'tauri://drag-drop'],
      ]) {
        const handler = I.transformCallback((e) => got.webview.push({ type, ...e.payload }));
        await I.invoke('plugin:event|listen', { event, target: { kind: 'Webview', label }, handler });
        const handler2 = I.transformCallback((e) => got.window.push({ type, ...e.payload }));
        await I.invoke('plugin:event|listen', { event, target: { kind: 'Window', label: I.metadata.currentWindow.label }, handler: handler2 });
      }
    });
    console.log('e2e: tauri api bundle not found; listeners registered like webview.js does');
  }

  const label = await dropFiles(s.browser, files, { position: { x: 120, y: 200 } });
  assert.equal(label, 'main');

  await s.browser.waitUntil(
    async () => (await s.browser.execute(() => window.__e2eDrops.webview.length)) >= 3,
    { timeout: 10000, timeoutMsg: 'the drop events never reached the page listener' },
  );
  const got = await s.browser.execute(() => JSON.parse(JSON.stringify(window.__e2eDrops)));
  for (const who of ['webview', 'window']) {
    const events = got[who];
    assert.deepEqual(events.map((e) => e.type), ['enter', 'over', 'drop'], `${who}: ${JSON.stringify(events)}`);
    const drop = events[2];
    assert.deepEqual(drop.paths, files);
    assert.equal(drop.position.x, 120);
    assert.equal(drop.position.y, 200);
    assert.deepEqual(events[0].paths, files);
  }
});

test("the app's own listener adds dropped PDFs to the screen's list", async () => {
  // The page's real onDragDropEvent listener (ui/src/main.js) received the drop above
  // on the Ký screen: both files are now in the queue to sign.
  await s.browser.waitUntil(async () => (await s.browser.$$('[data-testid="doc-item"]')).length >= 2,
    { timeout: 20000, timeoutMsg: 'dropped files never reached the Ký list' });
  const texts = [];
  for (const row of await s.browser.$$('[data-testid="doc-item"]')) texts.push(await row.getText());
  for (const n of ['Tờ trình kéo thả', 'Báo cáo quý 3']) {
    assert.ok(texts.some((t) => t.includes(n)), `${n} not listed: ${JSON.stringify(texts)}`);
  }
  await s.screenshot('01-keo-tha-tep');
});
