// A second launch (double-click on another PDF while KýSố is open) hands its file to
// the running window and exits: tauri-plugin-single-instance over the D-Bus session
// bus on Linux. The test starts its own session bus (dbus-daemon) for both launches.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { APP_PATH, startApp, tempDir, writeTinyPdf } from '../lib/session.js';

let s;
let work;
let bus;
let busAddress;

before(async () => {
  work = tempDir('kyso-e2e-single-');
  const daemon = spawnSync('sh', ['-c', 'command -v dbus-daemon'], { encoding: 'utf8' });
  assert.equal(daemon.status, 0, 'dbus-daemon missing (apt: dbus)');
  bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1', `--address=unix:path=${path.join(work, 'bus')}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  busAddress = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('dbus-daemon gave no address')), 10000);
    bus.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) { clearTimeout(timer); resolve(line.trim()); }
    });
  });
  const first = writeTinyPdf(path.join(work, 'Văn bản thứ nhất.pdf'));
  s = await startApp({ name: '02-single-instance', args: [first], env: { DBUS_SESSION_BUS_ADDRESS: busAddress } });
  await (await s.browser.$('[data-testid="doc-item"]')).waitForExist({ timeout: 30000 });
});

after(async () => {
  await s?.close();
  bus?.kill('SIGKILL');
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('a second launch hands its PDF to the running window and exits', async () => {
  const second = writeTinyPdf(path.join(work, 'Văn bản thứ hai.pdf'));
  // The same session as the first window: display, data dir and bus.
  const env = { ...process.env, DISPLAY: s.display, KYSO_DATA_DIR: s.dataDir, DBUS_SESSION_BUS_ADDRESS: busAddress, HOME: path.join(s.tmp, 'home'), XDG_CONFIG_HOME: path.join(s.tmp, 'xdg/config'), XDG_DATA_HOME: path.join(s.tmp, 'xdg/data'), XDG_RUNTIME_DIR: path.join(s.tmp, 'xdg/run') };
  const t0 = Date.now();
  const r = spawnSync(APP_PATH, [second], { env, encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, `second launch: status ${r.status} signal ${r.signal}\n${r.stderr}`);
  assert.ok(Date.now() - t0 < 30000, 'the second launch did not exit');
  await s.browser.waitUntil(async () => {
    for (const row of await s.browser.$$('[data-testid="doc-item"]')) {
      if ((await row.getText()).includes('Văn bản thứ hai')) return true;
    }
    return false;
  }, { timeout: 20000, timeoutMsg: 'the second file never reached the running window' });
  const rows = await s.browser.$$('[data-testid="doc-item"]');
  assert.equal(rows.length, 2, 'both files in the one window');
  await s.screenshot('02-mo-them-tep-cung-cua-so');
});
