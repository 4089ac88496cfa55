// The e-office bridge inside the desktop app (issue 12), with real parts: the app
// answers wss://127.0.0.1:<port> while it runs; a WebSocket client (`ws`, trusting the
// bridge's local CA from the data folder) plays the e-office page, with an allowed
// Origin; the mock e-office server (tests/fixtures/eoffice/server.py) serves the
// documents and takes the signed files, only with the page's session cookie and
// bearer token; the SoftHSM2 token signs.
//  1. the E-office screen says where the bridge listens, puts its CA in the browsers'
//     trust (Chromium's NSS database) and switches start at login
//     (the user's XDG autostart entry); the personal certificate for the pages' calls
//     is chosen in Thiết bị (GetCertInfo answers it); Config brings up Thiết bị;
//  1b. a site not on the list: a native yes/no question, asked once (xdotool answers);
//  1c. a page that names only a file: the native file dialog (xdotool types the path);
//  2. SignApproved: the PIN window shows the site, the call, the file, its size and its
//     first page; the PIN typed there signs; the file is uploaded (Status 0) and the
//     outside judges (pyHanko, pdfsig, qpdf) accept it; the E-office screen lists it
//     with its site;
//  3. cancelling the confirmation (Hủy): Status 11, nothing uploaded;
//  4. SignIssued (number + date shown in the confirmation) whose upload fails
//     (HTTP 500): Status 1, the E-office screen offers "Gửi lại", which sends it;
//  5. the port held by another program: the app starts, the window names the holder.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { ARTIFACTS_DIR, REPO_ROOT, inPinWindow as inPinWindowOf, startApp, tempDir, TESTBED, prepareTestbed } from '../lib/session.js';

const SESSION = 'sess-7f3a';
const JWT = 'jwt-eyJhbGciOi.test';

let s;
let work;
let docsDir;
let tb;
let eoffice;
let origin;
let bridgePort;
let appEnv;

/** Start the mock e-office server; resolves once it printed its port. */
function startEoffice(docs, uploads) {
  return new Promise((resolve, reject) => {
    const proc = spawn('python3', [path.join(REPO_ROOT, 'tests/fixtures/eoffice/server.py'), docs, uploads], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    fs.mkdirSync(path.join(ARTIFACTS_DIR, 'logs'), { recursive: true });
    const log = fs.createWriteStream(path.join(ARTIFACTS_DIR, 'logs', '12-bridge.eoffice.log'));
    proc.stderr.pipe(log);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/PORT (\d+)/);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.on('exit', (code) => reject(new Error(`the mock e-office server ended (${code}) before printing its port`)));
  });
}

async function control(method, p) {
  const r = await fetch(`${origin}${p}`, { method });
  assert.equal(r.status, 200, `${method} ${p}`);
  return r.json();
}

/** `promise`, or a failure after `ms` (a test fails instead of hanging the file). */
function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** One call as e-office pages make it: one WebSocket, one JSON message in, one out. */
function bridgeCall(endpoint, request, from = origin) {
  const ca = fs.readFileSync(path.join(s.dataDir, 'bridge/ca.pem'));
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${bridgePort}/${endpoint}`, { ca, origin: from, handshakeTimeout: 15000 });
    let done = false;
    ws.on('open', () => ws.send(JSON.stringify(request)));
    ws.on('message', (data) => { done = true; resolve(JSON.parse(data.toString())); ws.close(); });
    ws.on('error', (e) => { if (!done) reject(e); });
    ws.on('close', (code) => { if (!done) reject(new Error(`${endpoint}: closed (${code}) without a reply`)); });
  });
}

const request = (file, extra = {}) => ({
  FileName: `${origin}/files/${encodeURIComponent(file)}`,
  FileUploadHandler: `${origin}/upload`,
  SessionId: SESSION,
  JWTToken: JWT,
  MetaData: [{ Key: 'docId', Value: file }],
  ...extra,
});

before(async () => {
  work = tempDir('kyso-e2e-bridge-');
  const prepared = prepareTestbed(work);
  tb = prepared.tb;
  const { conf, crls } = prepared;

  const docs = docsDir = path.join(work, 'docs');
  const uploads = path.join(work, 'uploads');
  fs.mkdirSync(docs);
  fs.mkdirSync(uploads);
  for (const name of ['to-trinh.pdf', 'huy-bo.pdf']) fs.copyFileSync(path.join(TESTBED, 'drafts/draft-lo.pdf'), path.join(docs, name));
  eoffice = await startEoffice(docs, uploads);
  origin = `http://127.0.0.1:${eoffice.port}`;

  appEnv = {
    SOFTHSM2_CONF: conf,
    KYSO_PKCS11_MODULE: tb.KYSO_TEST_MODULE,
    KYSO_TRUST: path.join(TESTBED, 'pki/root.pem'),
    KYSO_CRL: crls.join(':'),
    KYSO_OFFLINE: '1',
    KYSO_BRIDGE_ALLOW_ORIGINS: origin,
  };
  s = await startApp({ name: '12-bridge', env: appEnv });
});

after(async () => {
  await s?.close();
  eoffice?.proc.kill();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const tid = (id, root) => (root || s.browser).$(`[data-testid="${id}"]`);
const tids = (id, root) => (root || s.browser).$$(`[data-testid="${id}"]`);

/** Wait for the PIN window, switch to it, run fn there, switch back. */
async function inPinWindow(fn) {
  return inPinWindowOf(s.browser, async () => {
    await (await tid('pin-bridge')).waitForDisplayed({ timeout: 20000, timeoutMsg: 'the PIN window never showed the page\'s request' });
  }, fn, { openTimeout: 60000 });
}

async function pinWindowClosed() {
  await s.browser.waitUntil(async () => (await s.browser.getWindowHandles()).length === 1, { timeout: 60000, timeoutMsg: 'the PIN window stayed open' });
}

/** The E-office row of document `file` (rows are re-rendered: looked up on every poll). */
async function bridgeRow(file, upload, timeout = 30000) {
  let seen = '';
  await s.browser.waitUntil(async () => {
    for (const row of await tids('bridge-item')) {
      try {
        const text = await row.getText();
        if (!text.includes(file)) continue;
        seen = `${await row.getAttribute('data-upload')}: ${text}`;
        if (await row.getAttribute('data-upload') === upload) return true;
      } catch { /* re-rendered meanwhile */ }
    }
    return false;
  }, { timeout, timeoutMsg: `${file}: no E-office row with upload=${upload} (last seen: ${seen || 'none'})` });
}

function judge(signed, input, count) {
  const out = execFileSync('bash', [path.join(REPO_ROOT, 'tests/fixtures/validate.sh'), TESTBED, signed, input, String(count)], { encoding: 'utf8' });
  assert.doesNotMatch(out, /^(FAIL|SKIP)/m, out);
  assert.match(out, /PASS.*pyhanko/i, out);
  return out;
}

test('1. the E-office screen says where the bridge listens, puts its CA in the browsers\' trust, switches start at login; the personal certificate is chosen for it', async () => {
  await (await tid('nav-bridge')).click();
  const state = await tid('bridge-state');
  await s.browser.waitUntil(async () => /wss:\/\/127\.0\.0\.1:\d+/.test(await state.getText()), { timeout: 30000, timeoutMsg: 'the bridge never listened' });
  bridgePort = Number((await state.getText()).match(/127\.0\.0\.1:(\d+)/)[1]);
  assert.ok(bridgePort > 0);
  assert.equal(await (await tid('bridge-allowed')).getText(), origin);
  assert.ok(fs.existsSync(path.join(s.dataDir, 'bridge/ca.pem')), 'the local CA is in the data folder');

  // The browsers trust it: Chromium's NSS database in the user's home gets the CA.
  await (await tid('install-ca')).click();
  const notice = await tid('bridge-notice');
  await notice.waitForDisplayed({ timeout: 20000, timeoutMsg: 'no word about the CA install' });
  assert.match(await notice.getText(), /\.pki\/nssdb/);
  const nss = execFileSync('certutil', ['-L', '-d', `sql:${path.join(s.tmp, 'home/.pki/nssdb')}`], { encoding: 'utf8' });
  assert.match(nss, /KySo local CA/, nss);
  assert.equal(await (await tid('error-banner')).isDisplayed(), false);

  // Start at login: the user's XDG autostart entry starts the app with --autostart (minimized).
  const entry = path.join(s.tmp, 'home/.config/autostart/KySo.desktop');
  const box = await tid('start-at-login');
  await s.browser.waitUntil(async () => (await box.isEnabled()), { timeout: 10000, timeoutMsg: 'the start-at-login toggle never loaded' });
  assert.equal(await box.isSelected(), false);
  await box.click();
  await s.browser.waitUntil(async () => fs.existsSync(entry), { timeout: 10000, timeoutMsg: `no autostart entry ${entry}` });
  const desktop = fs.readFileSync(entry, 'utf8');
  assert.match(desktop, /^Exec=.*kyso-desktop --autostart$/m, desktop);
  await s.browser.waitUntil(async () => (await (await tid('start-at-login')).isSelected()), { timeout: 10000, timeoutMsg: 'the toggle did not stay on' });
  await (await tid('start-at-login')).click();
  await s.browser.waitUntil(async () => !fs.existsSync(entry), { timeout: 10000, timeoutMsg: 'the autostart entry stayed' });

  // Several personal certificates on the token: the one for the pages' calls is chosen in Thiết bị.
  await (await tid('nav-devices')).click();
  const cert = await s.browser.$('[data-label="KYSO-TEST"] [data-testid="cert-item"][data-id="01"]');
  await cert.waitForDisplayed({ timeout: 60000, timeoutMsg: 'the token\'s certificates never showed' });
  await (await tid('bridge-cert-use', cert)).click();
  await s.browser.waitUntil(async () => (await tids('bridge-cert-in-use', await s.browser.$('[data-label="KYSO-TEST"] [data-testid="cert-item"][data-id="01"]'))).length === 1,
    { timeout: 10000, timeoutMsg: 'the choice was not shown' });
  const saved = JSON.parse(fs.readFileSync(path.join(s.dataDir, 'bridge/desktop-certificates.json'), 'utf8'));
  assert.deepEqual(saved.personal, { tokenLabel: 'KYSO-TEST', certIdHex: '01' });
  await s.screenshot('12-bridge-1-devices');

  // The page reads the chosen certificate (GetCertInfo) and opens KýSố's settings (Config).
  const info = await bridgeCall('GetCertInfo', {});
  assert.equal(info.Status, 0, JSON.stringify(info));
  assert.match(info.Subject, /Nguyễn Văn An/);
  assert.equal(info.TokenLabel, 'KYSO-TEST');
  await (await tid('nav-bridge')).click();
  const config = await bridgeCall('Config', {});
  assert.equal(config.Status, 0, JSON.stringify(config));
  await s.browser.waitUntil(async () => (await (await tid('nav-devices')).getAttribute('aria-selected')) === 'true',
    { timeout: 10000, timeoutMsg: 'Config did not bring up Thiết bị' });
});

/** The native dialog titled `title` on the app's display (xdotool), or null. */
function nativeWindow(title) {
  const env = { ...process.env, DISPLAY: s.display };
  const r = spawnSync('xdotool', ['search', '--onlyvisible', '--name', `^${title}$`], { env, encoding: 'utf8' });
  return (r.stdout || '').split('\n').filter(Boolean)[0] || null;
}

function xdo(...args) {
  const r = spawnSync('xdotool', args, { env: { ...process.env, DISPLAY: s.display }, encoding: 'utf8' });
  assert.equal(r.status, 0, `xdotool ${args.join(' ')}: ${r.stderr}`);
}

/** Wait for the native window titled `title`, focus it and press `keys` (xdotool). */
async function answerNative(title, ...keys) {
  let win = null;
  await s.browser.waitUntil(async () => !!(win = nativeWindow(title)), { timeout: 20000, timeoutMsg: `no native window "${title}"` });
  await new Promise((r) => setTimeout(r, 700)); // drawn and ready for keys
  s.screenshotDisplay(`12-bridge-native-${keys.join('-') || 'focus'}`);
  xdo('windowfocus', '--sync', win);
  if (keys.length) xdo('key', '--clearmodifiers', ...keys);
}

test('1b. a site not on the list is asked once, in a native dialog (No is the default)', async () => {
  // Return answers the focused button: No.
  const refused = 'https://qlvb-moi.example.vn';
  let reply = bridgeCall('GetVersion', {}, refused);
  await answerNative('KýSố', 'Return');
  let r = await reply;
  assert.equal(r.Status, 1, JSON.stringify(r));
  assert.match(r.Message, /không được phép/);
  // Asked once: refused again at once, no dialog.
  r = await bridgeCall('GetVersion', {}, refused);
  assert.equal(r.Status, 1, JSON.stringify(r));
  assert.equal(nativeWindow('KýSố'), null);
  // Tab to Yes: allowed, and not asked again.
  const allowed = 'https://qlvb-khac.example.vn';
  reply = bridgeCall('GetVersion', {}, allowed);
  await answerNative('KýSố', 'Tab', 'Return');
  r = await within(reply, 30000, 'GetVersion');
  assert.equal(r.Status, 0, JSON.stringify(r));
  r = await bridgeCall('GetVersion', {}, allowed);
  assert.equal(r.Status, 0, JSON.stringify(r));
  assert.equal(nativeWindow('KýSố'), null);
});

test('1c. a page that names only a file: the user picks it in the file dialog', async () => {
  const local = path.join(work, 'chon', 'van-ban-chon.pdf');
  fs.mkdirSync(path.dirname(local), { recursive: true });
  fs.copyFileSync(path.join(TESTBED, 'drafts/draft-lo.pdf'), local);
  const reply = bridgeCall('VerifyPDF', { FileName: 'van-ban-chon.pdf' });
  const title = 'Chọn tệp van-ban-chon.pdf để ký / Choose the file van-ban-chon.pdf to sign';
  // GTK's file chooser: Ctrl+L opens its location field (typing into it before it is
  // there loses letters: wait, then replace whatever it holds).
  await answerNative(title, 'ctrl+l');
  await new Promise((r) => setTimeout(r, 700));
  xdo('key', '--clearmodifiers', 'ctrl+a');
  xdo('type', '--delay', '20', local);
  await new Promise((r) => setTimeout(r, 700));
  s.screenshotDisplay('12-bridge-1c-file-typed');
  xdo('key', 'Return');
  const r = await within(reply, 30000, 'VerifyPDF after the file dialog');
  assert.equal(r.Status, 0, JSON.stringify(r));
  assert.equal(r.Valid, false, 'an unsigned draft is not valid');
  await (await tid('nav-bridge')).click();
  await bridgeRow('van-ban-chon', 'none');
});

test('2. SignApproved: the confirmation window shows the request; the PIN typed there signs and uploads', async () => {
  await (await tid('nav-bridge')).click();
  const t0 = Date.now();
  const reply = bridgeCall('SignApproved', request('to-trinh.pdf'));
  await inPinWindow(async () => {
    const box = await (await tid('pin-bridge')).getText();
    assert.match(box, new RegExp(origin.replace(/[.]/g, '\\.')));
    assert.match(box, /SignApproved/);
    assert.match(box, /to-trinh\.pdf/);
    assert.match(box, /KB/);
    assert.match(await (await tid('pin-title')).getText(), /Trang web yêu cầu ký số/);
    assert.match(await (await tid('pin-summary')).getText(), /Nguyễn Văn An/);
    // The document's first page, drawn from the queue's copy.
    const canvas = await tid('pin-preview-canvas');
    await s.browser.waitUntil(async () => (await canvas.getAttribute('data-rendered')) === 'true', { timeout: 30000, timeoutMsg: 'the first page was never drawn' });
    await s.screenshot('12-bridge-2-confirmation');
    await (await tid('pin-input')).setValue(tb.KYSO_TEST_PIN);
    await (await tid('pin-ok')).click();
  });
  await pinWindowClosed();
  const r = await within(reply, 60000, 'the page\'s call');
  console.log(`e2e-timing: bridged SignApproved, request to reply (PIN typed by WebDriver included): ${Date.now() - t0} ms`);
  assert.equal(r.Status, 0, JSON.stringify(r));
  assert.equal(r.FileServer, 'http://files.eoffice.test');
  const seen = await control('GET', '/control/uploads');
  assert.equal(seen.uploads.length, 1, JSON.stringify(seen));
  assert.equal(seen.uploads[0].fields.docId, 'to-trinh.pdf', 'the page\'s MetaData came back');
  judge(seen.uploads[0].path, path.join(docsDir, 'to-trinh.pdf'), 1);
  // The queue knows where it came from.
  await bridgeRow('to-trinh', 'uploaded');
  const origins = [];
  for (const e of await tids('bridge-origin')) origins.push(await e.getText());
  assert.ok(origins.includes(origin), origins.join(', '));
  await s.screenshot('12-bridge-2-queue');
});

test('3. cancelling the confirmation: Status 11, nothing uploaded', async () => {
  const reply = bridgeCall('SignApproved', request('huy-bo.pdf'));
  await inPinWindow(async () => {
    assert.match(await (await tid('pin-bridge')).getText(), /huy-bo\.pdf/);
    // WebKitWebDriver's Close Window never returns on a Tauri window; Hủy takes the
    // same path as the window's close button (the shell cancels the request).
    // The window may be gone before WebDriver answers the click.
    await (await tid('pin-cancel')).click().catch((e) => { if (!/no such window/i.test(String(e))) throw e; });
  });
  const r = await within(reply, 60000, 'the page\'s call');
  assert.equal(r.Status, 11, JSON.stringify(r));
  await pinWindowClosed();
  const seen = await control('GET', '/control/uploads');
  assert.equal(seen.uploads.length, 1, 'nothing more uploaded');
  await bridgeRow('huy-bo', 'none');
});

test('4. SignIssued whose upload fails: Status 1, then "Gửi lại" in the E-office screen sends it', async () => {
  // The leader's signed draft (step 2's upload) is released by the clerk with a number and date.
  const signed = (await control('GET', '/control/uploads')).uploads[0].path;
  fs.copyFileSync(signed, path.join(docsDir, 'quyet-dinh.pdf'));
  await control('POST', '/control/fail-next-upload');
  const reply = bridgeCall('SignIssued', request('quyet-dinh.pdf', { DocNumber: '125/QĐ-UBND', IssuedDate: '2026-12-06' }));
  await inPinWindow(async () => {
    const box = await (await tid('pin-bridge')).getText();
    assert.match(box, /SignIssued/);
    assert.match(box, /125\/QĐ-UBND/);
    assert.match(box, /06\/12\/2026/);
    assert.match(await (await tid('pin-summary')).getText(), /Ủy ban nhân dân tỉnh Thử Nghiệm/);
    await s.screenshot('12-bridge-4-confirmation');
    await (await tid('pin-input')).setValue(tb.KYSO_TEST_PIN);
    await (await tid('pin-ok')).click();
  });
  const r = await within(reply, 60000, 'the page\'s call');
  assert.equal(r.Status, 1, JSON.stringify(r));
  assert.equal((await control('GET', '/control/uploads')).uploads.length, 1, 'the failed upload left nothing on the server');

  await (await tid('nav-bridge')).click();
  await bridgeRow('quyet-dinh', 'failed');
  const retry = await tid('bridge-retry');
  await retry.waitForDisplayed({ timeout: 10000 });
  await s.screenshot('12-bridge-4-failed');
  await retry.click();
  await bridgeRow('quyet-dinh', 'uploaded', 60000);
  assert.equal(await (await tid('bridge-notice')).isDisplayed(), true);
  const seen = await control('GET', '/control/uploads');
  assert.equal(seen.uploads.length, 2, JSON.stringify(seen));
  assert.equal(seen.uploads[1].fields.docId, 'quyet-dinh.pdf');
  judge(seen.uploads[1].path, path.join(docsDir, 'quyet-dinh.pdf'), 2);
});

test('5. the port held by another program: the app runs and names the holder', async () => {
  await s.close();
  const holder = net.createServer();
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = holder.address().port;
  try {
    s = await startApp({ name: '12-bridge-port', env: { ...appEnv, KYSO_BRIDGE_LISTEN: `127.0.0.1:${port}` } });
    const banner = await tid('error-banner');
    await s.browser.waitUntil(async () => (await banner.isDisplayed()) && (await banner.getText()).includes(String(port)),
      { timeout: 30000, timeoutMsg: 'no message about the held port' });
    const text = await banner.getText();
    assert.match(text, new RegExp(`PID ${process.pid}`), text);
    assert.equal(await banner.getAttribute('data-kind'), 'bridge_port_in_use');
    await (await tid('nav-bridge')).click();
    assert.equal(await (await tid('bridge-status')).getAttribute('data-state'), 'failed');
    assert.match(await (await tid('bridge-error')).getText(), new RegExp(`PID ${process.pid}`));
    // The rest of the app works.
    await (await tid('nav-sign')).click();
    await s.screenshot('12-bridge-5-port-held');
  } finally {
    holder.close();
  }
});
