// The native dialogs (rfd over GTK) open over a window that keeps answering, and what
// the user picks there arrives: "Thêm tệp PDF…" opens the file dialog, xdotool types
// the path as a user would, the file is listed. (rfd's blocking GTK dialogs called on
// the main thread waited on themselves and froze the whole app.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startApp, tempDir, writeTinyPdf } from '../lib/session.js';

let s;
let dir;

before(async () => {
  dir = tempDir('kyso-e2e-dialogs-');
  s = await startApp({ name: '04-native-dialogs' });
  await (await s.browser.$('[data-testid="add-files-button"]')).waitForDisplayed({ timeout: 30000 });
});

after(async () => {
  await s?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function xdo(...args) {
  const r = spawnSync('xdotool', args, { env: { ...process.env, DISPLAY: s.display }, encoding: 'utf8' });
  assert.equal(r.status, 0, `xdotool ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

test('Thêm tệp PDF… opens the file dialog, the window keeps answering, the picked file is listed', async () => {
  const pdf = writeTinyPdf(path.join(dir, 'to-trinh-chon.pdf'));
  await (await s.browser.$('[data-testid="add-files-button"]')).click();
  let win = '';
  await s.browser.waitUntil(async () => {
    const r = spawnSync('xdotool', ['search', '--onlyvisible', '--name', '^Chọn văn bản PDF$'], { env: { ...process.env, DISPLAY: s.display }, encoding: 'utf8' });
    win = (r.stdout || '').split('\n').filter(Boolean)[0] || '';
    return !!win;
  }, { timeout: 20000, timeoutMsg: 'the file dialog never opened' });
  // The app answers while the dialog is open.
  const t0 = Date.now();
  assert.match(await s.browser.getTitle(), /KýSố/);
  assert.ok(Date.now() - t0 < 5000, 'the window was slow to answer while the dialog was open');
  await new Promise((r) => setTimeout(r, 700));
  xdo('windowfocus', '--sync', win);
  // Ctrl+L opens the chooser's location field; typing before it is there loses letters.
  xdo('key', '--clearmodifiers', 'ctrl+l');
  await new Promise((r) => setTimeout(r, 700));
  xdo('key', '--clearmodifiers', 'ctrl+a');
  xdo('type', '--delay', '20', pdf);
  await new Promise((r) => setTimeout(r, 700));
  s.screenshotDisplay('04-file-dialog');
  xdo('key', 'Return');
  await s.browser.waitUntil(async () => {
    for (const row of await s.browser.$$('[data-testid="doc-item"]')) if ((await row.getText()).includes('to-trinh-chon')) return true;
    return false;
  }, { timeout: 20000, timeoutMsg: 'the picked file never reached the Ký list' });
});
