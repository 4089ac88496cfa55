// The right signer for the block and the token's life cycle on the real app, through
// WebDriver, with a SoftHSM2 token (issue 13):
//  1. a draft "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Nguyễn Văn An": the agency certificate is
//     refused outright; with Trần Thị Bình's certificate the app asks, naming both people,
//     before any PIN; cancel → nothing signed, no PIN window;
//  2. asked again and confirmed → the PIN window, then signed by Trần Thị Bình;
//  3. a locked user PIN is unblocked in the PIN window (unblock code and new PIN twice,
//     a wrong code first: the unblock code's state shown); the main page has no PIN field;
//  4. the unblock code locked too: no PIN window, the recovery request is written and
//     shown with the token's serial;
//  5. a handover record made from the Thiết bị form enters the Ký list and Báo cáo lists it;
//  6. a renewed certificate (the file the native dialog would give: KYSO_E2E_PICK_CERTIFICATE,
//     debug builds only) is written onto the token with the PIN typed in the PIN window, and
//     Thiết bị then pairs it with the key.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, inPinWindow as inPinWindowOf, startApp, tempDir, KYSO, TESTBED, prepareTestbed } from '../lib/session.js';

const DRAFT_NAME = 'Quyết định 30 phó chủ tịch ký thay.pdf';
const BINH = 'KYSO-TEST|02';

let s;
let work;
let conf;
let module;
const files = {};

/** Set (or with `clear`, clear) token flags in the private SoftHSM2 copy (a running SoftHSM2 re-reads them). */
function setFlags(flag, clear = false) {
  execFileSync('python3', [path.join(REPO_ROOT, 'tests/fixtures/lock-token.py'), path.join(work, 'tokens'), 'KYSO-TEST', ...(clear ? ['--flag', '0', '--clear', flag] : ['--flag', flag])]);
}

/** KYSO-TEST as `kyso tokens --json` lists it (a process of its own). */
function tokenJson() {
  const out = execFileSync(KYSO, ['tokens', '--module', module, '--json'], { env: { ...process.env, SOFTHSM2_CONF: conf } });
  const v = JSON.parse(out.toString());
  return v.modules.flatMap((m) => m.tokens).find((t) => t.label === 'KYSO-TEST');
}

before(async () => {
  work = tempDir('kyso-e2e-lifecycle-');
  // A private copy of the tokens (this test locks and unblocks the PIN).
  const prepared = prepareTestbed(work);
  module = prepared.tb.KYSO_TEST_MODULE;
  conf = prepared.conf;
  files.crls = prepared.crls;
  const docs = path.join(work, 'docs');
  fs.mkdirSync(docs);
  // draft-lo.pdf ends with KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Nguyễn Văn An.
  files.draft = path.join(docs, DRAFT_NAME);
  fs.copyFileSync(path.join(TESTBED, 'drafts/draft-lo.pdf'), files.draft);
  files.signed = files.draft.replace(/\.pdf$/, '.signed.pdf');
  s = await startApp({
    name: '12-token-lifecycle',
    args: [files.draft],
    env: {
      SOFTHSM2_CONF: conf,
      KYSO_PKCS11_MODULE: module,
      KYSO_TRUST: path.join(TESTBED, 'pki/root.pem'),
      KYSO_CRL: files.crls.join(':'),
      KYSO_OFFLINE: '1',
      KYSO_DATA_DIR: path.join(work, 'data'),
      KYSO_E2E_PICK_CERTIFICATE: path.join(TESTBED, 'pki/personal-rsa2048-renewed.p7b'),
    },
  });
});

after(async () => {
  await s?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const tid = (id, root) => (root || s.browser).$(`[data-testid="${id}"]`);
const tids = (id, root) => (root || s.browser).$$(`[data-testid="${id}"]`);

async function choose(selectId, value) {
  const sel = await tid(selectId);
  await s.browser.waitUntil(async () => {
    for (const o of await sel.$$('option')) if ((await o.getAttribute('value')) === value) return true;
    return false;
  }, { timeout: 30000, timeoutMsg: `${selectId} never offered ${value}` });
  await sel.selectByAttribute('value', value);
}

async function draftRow() {
  let found = null;
  await s.browser.waitUntil(async () => {
    for (const row of await tids('doc-item', await tid('doc-list'))) {
      try {
        if ((await row.getText()).includes(DRAFT_NAME.replace('.pdf', ''))) { found = row; return true; }
      } catch { /* re-rendered */ }
    }
    return false;
  }, { timeout: 30000, timeoutMsg: 'the draft is not in the Ký list' });
  return found;
}

async function windowCount() {
  return (await s.browser.getWindowHandles()).length;
}

/** Run `fn` in the PIN window once it shows its request. */
async function inPinWindow(fn) {
  return inPinWindowOf(s.browser, async () => {
    await (await tid('pin-ok')).waitForDisplayed({ timeout: 20000 });
    await s.browser.waitUntil(async () => {
      const title = await (await tid('pin-title')).getText();
      return title.length > 0 && title !== 'Xác nhận ký';
    }, { timeout: 20000, timeoutMsg: 'the PIN window never showed its request' });
  }, () => fn());
}

async function pinWindowClosed() {
  await s.browser.waitUntil(async () => (await windowCount()) === 1, { timeout: 60000, timeoutMsg: 'the PIN window stayed open' });
}

/** Press sign and wait for the name question; returns its text. */
async function askedAboutTheName() {
  await (await tid('sign-button')).click();
  const dialog = await tid('name-mismatch-dialog');
  await dialog.waitForDisplayed({ timeout: 30000, timeoutMsg: 'no name question' });
  return dialog.getText();
}

test('1. another person\'s certificate on a KT. block: the app asks naming both; cancel signs nothing', async () => {
  const row = await draftRow();
  await row.click();
  // The agency certificate on a KT. block: refused outright, nothing to confirm, no PIN window.
  await choose('cert-select', 'KYSO-TEST|04');
  await (await tid('sign-button')).click();
  const banner = await tid('error-banner');
  await s.browser.waitUntil(async () => (await banner.getAttribute('data-kind')) === 'agency_in_delegated_block',
    { timeout: 30000, timeoutMsg: `no agency refusal: ${await banner.getText()}` });
  assert.ok((await banner.getText()).includes('Nguyễn Văn An'), await banner.getText());
  assert.equal((await tids('name-mismatch-dialog')).length, 0);
  assert.equal(await windowCount(), 1);
  await choose('cert-select', BINH);
  const text = await askedAboutTheName();
  assert.ok(text.includes('Nguyễn Văn An'), `the block's name is not in the question: ${text}`);
  assert.ok(text.includes('Trần Thị Bình'), `the holder is not in the question: ${text}`);
  assert.ok(text.includes('KT.'), `the delegation is not in the question: ${text}`);
  // Asked before the PIN: no PIN window yet.
  assert.equal(await windowCount(), 1, 'the PIN window opened before the name was confirmed');
  await s.screenshot('30-ten-nguoi-ky-khong-khop');
  await (await tid('confirm-cancel')).click();
  await (await tid('name-mismatch-dialog')).waitForExist({ reverse: true, timeout: 10000 });
  // Nothing signed: still pending, no output, no PIN window, the button usable again.
  await s.browser.waitUntil(async () => (await (await tid('sign-button')).isEnabled()), { timeout: 10000, timeoutMsg: 'sign button stayed disabled' });
  assert.equal(await windowCount(), 1);
  assert.equal(await (await draftRow()).getAttribute('data-status'), 'pending');
  assert.ok(!fs.existsSync(files.signed), 'a signed file was written after cancelling');
});

test('2. confirmed: the PIN window, then signed by Trần Thị Bình', async () => {
  await askedAboutTheName();
  await (await tid('confirm-ok')).click();
  await inPinWindow(async () => {
    const summary = await (await tid('pin-summary')).getText();
    assert.ok(summary.includes('Trần Thị Bình'), summary);
    await (await tid('pin-input')).setValue('123456');
    await (await tid('pin-ok')).click();
  });
  await pinWindowClosed();
  const result = await tid('sign-result');
  await result.waitForDisplayed({ timeout: 90000 });
  await s.browser.waitUntil(async () => (await result.getText()).includes('Hợp lệ'),
    { timeout: 30000, timeoutMsg: `sign result: ${await result.getText()}` });
  assert.ok(fs.existsSync(files.signed), 'no signed file');
  const v = JSON.parse(execFileSync(KYSO, ['verify', files.signed, '--json', '--trust', path.join(TESTBED, 'pki/root.pem'), '--offline', '--crl', files.crls[0], '--crl', files.crls[1]]).toString());
  const signer = JSON.stringify(v.files[0].signatures[0].signer);
  assert.ok(signer.includes('Trần Thị Bình'), signer);
  await s.screenshot('31-ky-thay-da-xac-nhan');
});

async function devices() {
  await (await tid('nav-devices')).click();
  await (await tid('token-list')).waitForDisplayed({ timeout: 10000 });
}

async function tokenCardText() {
  return (await s.browser.$('.token[data-label="KYSO-TEST"]')).getText();
}

test('3. a locked PIN is unblocked in the PIN window with the unblock code', async () => {
  setFlags('0x40000'); // CKF_USER_PIN_LOCKED
  await devices();
  await (await s.browser.$('.screen-devices .row button')).click(); // Tải lại
  await s.browser.waitUntil(async () => (await tokenCardText()).includes('khóa mã PIN'),
    { timeout: 30000, timeoutMsg: `the lock is not shown: ${await tokenCardText()}` });
  assert.equal((await s.browser.$$('input[type="password"]')).length, 0, 'no PIN field in the main page');
  await (await s.browser.$('.token[data-label="KYSO-TEST"] [data-testid="unblock-button"]')).click();
  await inPinWindow(async () => {
    assert.match(await (await tid('pin-title')).getText(), /Mở khóa thiết bị KYSO-TEST/);
    assert.ok((await (await tid('pin-so-tries')).getText()).startsWith('Mã mở khóa'));
    // The two new PINs differ: refused in the window, nothing sent.
    await (await tid('pin-so')).setValue('12345678');
    await (await tid('pin-new')).setValue('246810');
    await (await tid('pin-confirm')).setValue('246811');
    await (await tid('pin-ok')).click();
    await s.browser.waitUntil(async () => (await (await tid('pin-error')).getText()).includes('không khớp'),
      { timeout: 10000, timeoutMsg: 'different new PINs were not refused' });
    // A wrong unblock code: answered in the window with the code's state.
    await (await tid('pin-so')).setValue('00000000');
    await (await tid('pin-new')).setValue('246810');
    await (await tid('pin-confirm')).setValue('246810');
    await (await tid('pin-ok')).click();
    await s.browser.waitUntil(async () => (await (await tid('pin-error')).getText()).includes('Mã mở khóa'),
      { timeout: 30000, timeoutMsg: 'a wrong unblock code was not reported' });
    assert.ok((await (await tid('pin-tries')).getText()).startsWith('Mã mở khóa'), await (await tid('pin-tries')).getText());
    await s.screenshot('32-mo-khoa-sai-ma');
    await (await tid('pin-so')).setValue('12345678');
    await (await tid('pin-new')).setValue('246810');
    await (await tid('pin-confirm')).setValue('246810');
    await (await tid('pin-ok')).click();
  });
  await pinWindowClosed();
  await s.browser.waitUntil(async () => (await s.browser.$('.screen-devices .notice').getText()).includes('Đã mở khóa thiết bị KYSO-TEST'),
    { timeout: 30000, timeoutMsg: 'no notice after the unblock' });
  const tok = tokenJson();
  assert.equal(tok.pin.locked, false, JSON.stringify(tok.pin));
  // The new PIN logs in (the old one does not): `kyso sign` with each.
  const out = path.join(work, 'after-unblock.pdf');
  const sign = (pin, o) => execFileSync(KYSO, ['sign', path.join(TESTBED, 'drafts/draft-director.pdf'), '-o', o, '--module', module,
    '--token', 'KYSO-TEST', '--cert', '03', '--invisible', '--offline', '--trust', path.join(TESTBED, 'pki/root.pem'), '--crl', files.crls[0], '--crl', files.crls[1]],
  { env: { ...process.env, SOFTHSM2_CONF: conf, KYSO_PIN: pin }, stdio: 'pipe' });
  assert.throws(() => sign('123456', out + '.old.pdf'), 'the old PIN still signs');
  sign('246810', out);
  assert.ok(fs.existsSync(out));
  await s.screenshot('33-mo-khoa-xong');
});

test('4. the unblock code locked too: the recovery request is written and shown', async () => {
  setFlags('0x440000'); // CKF_SO_PIN_LOCKED | CKF_USER_PIN_LOCKED
  const serial = tokenJson().serial;
  await (await s.browser.$('.screen-devices .row button')).click(); // Tải lại
  await s.browser.waitUntil(async () => (await tokenCardText()).includes('Mã mở khóa đã bị khóa'),
    { timeout: 30000, timeoutMsg: `the locked unblock code is not shown: ${await tokenCardText()}` });
  await (await s.browser.$('.token[data-label="KYSO-TEST"] [data-testid="unblock-button"]')).click();
  const req = await tid('recovery-request');
  await req.waitForDisplayed({ timeout: 30000, timeoutMsg: 'no recovery request shown' });
  assert.equal(await windowCount(), 1, 'a PIN window opened for a locked unblock code');
  const shown = await (await tid('recovery-text')).getText();
  assert.ok(shown.includes(serial), `serial ${serial} not in the request: ${shown}`);
  const pdf = await (await tid('recovery-pdf')).getText();
  assert.ok(fs.existsSync(pdf), pdf);
  const text = execFileSync('pdftotext', [pdf, '-']).toString();
  assert.ok(text.includes(serial), text);
  await s.screenshot('34-de-nghi-khoi-phuc');
  setFlags('0x440000', true);
  assert.equal(tokenJson().pin.soLocked, false);
});

test('5. a handover record enters the Ký list and Báo cáo lists it', async () => {
  const open = await s.browser.$('.token[data-label="KYSO-TEST"] [data-testid="handover-button"]');
  await open.scrollIntoView({ block: 'center' });
  await open.click();
  await (await tid('handover-form')).waitForDisplayed({ timeout: 10000 });
  await (await tid('handover-from')).setValue('Nguyễn Văn An');
  await (await tid('handover-to')).setValue('Trần Thị Bình');
  await (await tid('handover-witness')).setValue('Lê Hoàng Cường');
  await s.screenshot('35-bien-ban-ban-giao');
  await (await tid('handover-create')).click();
  await s.browser.waitUntil(async () => (await s.browser.$('.screen-devices .notice').getText()).includes('Đã lập biên bản'),
    { timeout: 30000, timeoutMsg: 'no notice after the handover' });
  await (await tid('nav-sign')).click();
  await s.browser.waitUntil(async () => (await (await tid('doc-list')).getText()).includes('bien-ban-ban-giao'),
    { timeout: 30000, timeoutMsg: 'the record is not in the Ký list' });
  await (await tid('nav-reports')).click();
  const rows = await tid('handover-table');
  await s.browser.waitUntil(async () => (await rows.getText()).includes('Trần Thị Bình'),
    { timeout: 30000, timeoutMsg: 'Báo cáo does not list the handover' });
  const text = await rows.getText();
  assert.ok(text.includes('Nguyễn Văn An') && text.includes('Lê Hoàng Cường'), text);
});

test('6. a renewed certificate is written onto the token with the PIN from the PIN window', async () => {
  await devices();
  const certs = async () => (await s.browser.$$('.token[data-label="KYSO-TEST"] [data-testid="cert-item"][data-id="01"]')).length;
  assert.equal(await certs(), 1);
  const btn = await s.browser.$('.token[data-label="KYSO-TEST"] [data-testid="import-cert-button"]');
  await btn.scrollIntoView({ block: 'center' });
  await btn.click();
  await inPinWindow(async () => {
    assert.match(await (await tid('pin-title')).getText(), /KYSO-TEST/);
    assert.match(await (await tid('pin-import-file')).getText(), /personal-rsa2048-renewed\.p7b/);
    await (await tid('pin-input')).setValue('000000');
    await (await tid('pin-ok')).click();
    await s.browser.waitUntil(async () => (await (await tid('pin-error')).getText()).includes('PIN'),
      { timeout: 30000, timeoutMsg: 'a wrong PIN was not reported' });
    await (await tid('pin-input')).setValue('246810'); // set by the unblock (test 3)
    await (await tid('pin-ok')).click();
  });
  await pinWindowClosed();
  await s.browser.waitUntil(async () => (await s.browser.$('.screen-devices .notice').getText()).includes('Đã ghi chứng thư số'),
    { timeout: 30000, timeoutMsg: 'no notice after the import' });
  await s.browser.waitUntil(async () => (await certs()) === 2,
    { timeout: 30000, timeoutMsg: 'the renewed certificate is not listed with key 01' });
  const paired = tokenJson().certificates.filter((c) => c.id === '01');
  assert.equal(paired.length, 2, JSON.stringify(paired.map((c) => c.notAfter)));
  await s.screenshot('36-chung-thu-gia-han');
});
