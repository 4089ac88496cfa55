// The whole office flow on the real app, through WebDriver, with a SoftHSM2 token:
//  1. a draft given on the command line opens in "Ký";
//  2. the leader signs it: the separate PIN window shows what will be signed (file,
//     SHA-256 prefix, certificate) and takes the PIN (a wrong PIN first: tries shown);
//  3. the clerk numbers and seals it in "Văn thư", then releases it;
//  4. a tampered file dropped into "Kiểm tra" is "Không hợp lệ" with its reason;
//  5. a valid incoming file is registered with its number;
//  6. "Lưu trữ" finds it by that number.
// Screenshots of each step go to the artefacts folder (user guide material).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { dropFiles, inPinWindow as inPinWindowOf, startApp, tempDir, KYSO, TESTBED, prepareTestbed, prepareStampImages } from '../lib/session.js';

const DRAFT_NAME = 'Quyết định 12 về việc thử nghiệm.pdf';
const DOC_NUMBER = '12/QĐ-UBND';
const INCOMING_NUMBER = '45/CV-STTTT';

let s;
let work;
const files = {};

/** Flip one byte inside the first signed range (the page tree's "/Pages" name). */
function tamper(src, dst) {
  const buf = fs.readFileSync(src);
  const at = buf.indexOf('/Pages');
  assert.ok(at > 0, 'no /Pages in the signed file');
  buf[at + 1] = 'Q'.charCodeAt(0);
  fs.writeFileSync(dst, buf);
}

before(async () => {
  work = tempDir('kyso-e2e-flow-');
  // The test bed (test PKI, drafts) and a private copy of its tokens (this test types a wrong PIN).
  const { tb, conf, crls } = prepareTestbed(work);

  const docs = path.join(work, 'docs');
  fs.mkdirSync(docs);
  files.draft = path.join(docs, DRAFT_NAME);
  fs.copyFileSync(path.join(TESTBED, 'drafts/draft-lo.pdf'), files.draft);
  // Incoming documents: one signed by another office (PKCS#12 identity), one tampered with.
  const inbox = path.join(work, 'den');
  fs.mkdirSync(inbox);
  files.valid = path.join(inbox, 'Công văn 45 của Sở TTTT.pdf');
  execFileSync(KYSO, ['sign', path.join(TESTBED, 'drafts/draft-director.pdf'), '-o', files.valid,
    '--pkcs12', path.join(TESTBED, 'pki/personal-rsa3072.p12'), '--invisible'],
  { env: { ...process.env, KYSO_P12_PASSWORD: tb.KYSO_TEST_P12_PASSWORD || 'kyso-test' } });
  files.tampered = path.join(inbox, 'Công văn bị sửa.pdf');
  tamper(files.valid, files.tampered);

  // A configured profile: the leader's signature and the agency's seal images are set
  // (Thiết bị → Ảnh chữ ký / Ảnh con dấu), prepared by `kyso image prepare`.
  const dataDir = path.join(work, 'data');
  prepareStampImages(work, dataDir);

  s = await startApp({
    name: '10-office-flow',
    args: [files.draft],
    env: {
      SOFTHSM2_CONF: conf,
      KYSO_PKCS11_MODULE: tb.KYSO_TEST_MODULE,
      KYSO_TRUST: path.join(TESTBED, 'pki/root.pem'),
      KYSO_CRL: crls.join(':'),
      KYSO_OFFLINE: '1',
      KYSO_DATA_DIR: dataDir,
    },
  });
});

after(async () => {
  await s?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const tid = (id, root) => (root || s.browser).$(`[data-testid="${id}"]`);
const tids = (id, root) => (root || s.browser).$$(`[data-testid="${id}"]`);

async function rowWithText(listId, itemId, text, timeout = 30000) {
  let found = null;
  await s.browser.waitUntil(async () => {
    for (const row of await tids(itemId, await tid(listId))) {
      if ((await row.getText()).includes(text)) { found = row; return true; }
    }
    return false;
  }, { timeout, timeoutMsg: `no ${itemId} containing "${text}"` });
  return found;
}

/** Wait until the row of `listId` containing `text` has `status` (rows are re-rendered:
 * look them up again on every poll). */
async function waitStatus(listId, itemId, text, status, timeout = 60000) {
  let last = '?';
  await s.browser.waitUntil(async () => {
    for (const row of await tids(itemId, await tid(listId))) {
      try {
        if ((await row.getText()).includes(text)) {
          last = await row.getAttribute('data-status');
          if (last === status) return true;
        }
      } catch { /* re-rendered meanwhile */ }
    }
    return false;
  }, { timeout, timeoutMsg: `${text}: status never became ${status} (last seen ${last})` });
}

async function choose(selectId, value) {
  const sel = await tid(selectId);
  await s.browser.waitUntil(async () => {
    const opts = await sel.$$('option');
    for (const o of opts) if ((await o.getAttribute('value')) === value) return true;
    return false;
  }, { timeout: 30000, timeoutMsg: `${selectId} never offered ${value}` });
  await sel.selectByAttribute('value', value);
}

/** Run `fn` in the PIN window (a window of its own, not part of the main page). */
async function inPinWindow(fn) {
  return inPinWindowOf(s.browser, async () => {
    await (await tid('pin-ok')).waitForDisplayed({ timeout: 20000 });
    await s.browser.waitUntil(async () => {
      const title = await (await tid('pin-title')).getText();
      return title.length > 0 && title !== 'Xác nhận ký';
    }, { timeout: 20000, timeoutMsg: 'the PIN window never showed its request' });
  }, () => fn());
}

/** Type `pin` in the PIN window and press its sign button. */
async function enterPin(pin) {
  await (await tid('pin-input')).setValue(pin);
  await (await tid('pin-ok')).click();
}

/** The PIN window is gone (the token took the PIN). */
async function pinWindowClosed() {
  await s.browser.waitUntil(async () => (await s.browser.getWindowHandles()).length === 1, { timeout: 60000, timeoutMsg: 'the PIN window stayed open' });
}

/** The preview view `id` shows `source` (draft, preview, signed), drawn. */
async function viewReady(id, source) {
  const view = await tid(id);
  await s.browser.waitUntil(async () => (await view.getAttribute('data-ready')) === '1' && (await view.getAttribute('data-source')) === source,
    { timeout: 60000, timeoutMsg: `${id} never showed the ${source} file` });
}

async function nav(id) {
  await (await tid(id)).click();
}

test('1. the draft from the command line opens in Ký', async () => {
  const row = await rowWithText('doc-list', 'doc-item', DRAFT_NAME.replace('.pdf', ''));
  assert.equal(await row.getAttribute('data-status'), 'pending');
  await row.click();
  const canvas = await (await tid('pdf-view')).$('canvas');
  await canvas.waitForExist({ timeout: 30000 });
  await choose('cert-select', 'KYSO-TEST|01');
  await (await tid('stamp-box')).waitForDisplayed({ timeout: 30000 });
  await viewReady('pdf-view', 'preview');
  await s.screenshot('01-ky-van-ban-mo-tu-dong-lenh');
});

test('2. the leader signs it in the PIN window', async () => {
  await (await tid('sign-button')).click();
  let t0;
  await inPinWindow(async () => {
    const summary = await (await tid('pin-summary')).getText();
    // What will be signed: the file, the first digits of its SHA-256, the certificate.
    assert.ok(summary.includes(DRAFT_NAME), summary);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(files.draft)).digest('hex');
    assert.ok(summary.includes(sha.slice(0, 16)), `${summary}\n${sha}`);
    assert.ok(summary.includes('Nguyễn Văn An'), summary);
    await (await tid('pin-input')).setValue('000000');
    await s.screenshot('02-ky-nhap-pin');
    await (await tid('pin-ok')).click();
    // Wrong PIN: the window stays and says how many tries are left.
    await s.browser.waitUntil(async () => (await (await tid('pin-tries')).getText()).length > 0,
      { timeout: 30000, timeoutMsg: 'no tries shown after a wrong PIN' });
    assert.match(await (await tid('pin-error')).getText(), /PIN/);
    await s.screenshot('03-ky-sai-pin');
    t0 = performance.now();
    await enterPin('123456');
  });
  await pinWindowClosed();
  const result = await tid('sign-result');
  await result.waitForDisplayed({ timeout: 90000 });
  await s.browser.waitUntil(async () => (await result.getText()).includes('Hợp lệ'),
    { timeout: 30000, interval: 50, timeoutMsg: `sign result: ${await result.getText()}` });
  console.log(`e2e-timing: PIN dialog OK to the signed and verified result (2-page draft): ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  await waitStatus('doc-list', 'doc-item', DRAFT_NAME.replace('.pdf', ''), 'signed');
  assert.ok(fs.existsSync(files.draft.replace(/\.pdf$/, '.signed.pdf')), 'signed file beside the draft');
  await viewReady('pdf-view', 'signed');
  await s.screenshot('04-ky-da-ky-hop-le');
});

test('3. the clerk numbers, seals and releases it', async () => {
  await nav('nav-clerk');
  const row = await rowWithText('clerk-list', 'clerk-item', DRAFT_NAME.replace('.pdf', ''));
  // Before sealing, the existing signature's verdict is shown (R9).
  await s.browser.waitUntil(async () => (await row.$$('[data-testid="sig-verdict"]')).length > 0,
    { timeout: 60000, timeoutMsg: 'no signature verdict before sealing' });
  assert.match(await (await row.$('[data-testid="sig-verdict"]')).getText(), /Hợp lệ/);
  await (await row.$('[data-testid="doc-number-input"]')).setValue(DOC_NUMBER);
  const check = await row.$('[data-testid="clerk-check"]');
  if (!(await check.isSelected())) await check.click();
  await choose('clerk-cert-select', 'KYSO-TEST|04');
  await viewReady('clerk-view', 'preview');
  await s.screenshot('05-van-thu-nhap-so');
  await (await tid('seal-button')).click();
  await inPinWindow(async () => {
    const summary = await (await tid('pin-summary')).getText();
    assert.ok(summary.includes(DOC_NUMBER), summary);
    await enterPin('123456');
  });
  await pinWindowClosed();
  await waitStatus('sealed-list', 'clerk-item', DRAFT_NAME.replace('.pdf', ''), 'sealed', 120000);
  // The sealed file itself is shown, with its verdict beside it.
  await viewReady('clerk-view', 'signed');
  const caption = await tid('view-caption', await tid('clerk-view-col'));
  await s.browser.waitUntil(async () => (await caption.getText()).includes('Hợp lệ'),
    { timeout: 60000, timeoutMsg: 'no verdict beside the sealed file' });
  await s.screenshot('06-van-thu-da-dong-dau');
  const sealed = await rowWithText('sealed-list', 'clerk-item', DRAFT_NAME.replace('.pdf', ''));
  await (await sealed.$('[data-testid="release-button"]')).click();
  await waitStatus('sealed-list', 'clerk-item', DRAFT_NAME.replace('.pdf', ''), 'released');
  assert.ok(fs.existsSync(files.draft.replace(/\.pdf$/, '.sealed.pdf')), 'sealed file beside the draft');
  await s.screenshot('07-van-thu-da-phat-hanh');
});

test('4. a tampered file dropped into Kiểm tra is Không hợp lệ, with its reason', async () => {
  await nav('nav-inbox');
  await dropFiles(s.browser, [files.tampered, files.valid]);
  const bad = await rowWithText('inbox-list', 'inbox-item', 'Công văn bị sửa');
  await s.browser.waitUntil(async () => (await (await bad.$('[data-testid="verdict-badge"]')).getText()).includes('Không hợp lệ'),
    { timeout: 60000, timeoutMsg: 'tampered file not reported invalid' });
  const reason = await (await bad.$('[data-testid="verdict-reason"]')).getText();
  assert.ok(reason.length > 10, `reason: ${reason}`);
  await waitStatus('inbox-list', 'inbox-item', 'Công văn bị sửa', 'invalid');
  await s.screenshot('08-kiem-tra-khong-hop-le');
});

test('5. a valid incoming document is registered with its number', async () => {
  const good = await rowWithText('inbox-list', 'inbox-item', 'Công văn 45');
  await s.browser.waitUntil(async () => /^\W*Hợp lệ$/.test(await (await good.$('[data-testid="verdict-badge"]')).getText()),
    { timeout: 60000, timeoutMsg: 'valid incoming file not reported valid' });
  await (await good.$('[data-testid="register-number-input"]')).setValue(INCOMING_NUMBER);
  await s.screenshot('09-kiem-tra-hop-le');
  await (await good.$('[data-testid="register-button"]')).click();
  await s.browser.waitUntil(async () => {
    for (const row of await tids('inbox-item')) {
      if ((await row.getText()).includes('Công văn 45') && (await row.getAttribute('data-status')) === 'registered') return true;
    }
    return false;
  }, { timeout: 30000, timeoutMsg: 'not registered' });
  await s.screenshot('10-kiem-tra-da-vao-so');
});

test('5b. the tampered one is rejected: notice written, document kept', async () => {
  const bad = await rowWithText('inbox-list', 'inbox-item', 'Công văn bị sửa');
  await (await bad.$('[data-testid="reject-button"]')).click();
  await waitStatus('rejected-list', 'inbox-item', 'Công văn bị sửa', 'rejected');
  const notices = path.join(work, 'data', 'notices');
  await s.browser.waitUntil(async () => fs.existsSync(notices) && fs.readdirSync(notices).some((f) => f.endsWith('.pdf')),
    { timeout: 20000, timeoutMsg: 'no notice PDF written' });
  const text = fs.readdirSync(notices).filter((f) => f.endsWith('.txt')).map((f) => fs.readFileSync(path.join(notices, f), 'utf8')).join('\n');
  assert.ok(text.includes('Công văn bị sửa.pdf'), `notice text:\n${text}`);
  assert.ok(fs.existsSync(files.tampered), 'a rejected document is never deleted');
  await s.screenshot('10b-kiem-tra-tu-choi');
});

test('6. the archive finds it by its number', async () => {
  await nav('nav-archive');
  await (await tid('archive-search-input')).setValue(INCOMING_NUMBER);
  await (await tid('archive-search-button')).click();
  const hit = await rowWithText('archive-results', 'archive-item', INCOMING_NUMBER);
  assert.ok((await hit.getText()).includes('Công văn 45'));
  // Its history: who checked and registered it, when, with the file's SHA-256 (R12).
  await (await hit.$('[data-testid="history-button"]')).click();
  const hist = await tid('history');
  await s.browser.waitUntil(async () => (await hist.getText()).includes('Vào sổ'), { timeout: 20000, timeoutMsg: 'no history' });
  assert.match(await hist.getText(), /Kiểm tra chữ ký/);
  await s.screenshot('11-luu-tru-tim-theo-so');
});

test('7. Thiết bị lists the token and its certificates', async () => {
  await nav('nav-devices');
  const list = await tid('token-list');
  await s.browser.waitUntil(async () => (await list.getText()).includes('KYSO-TEST'), { timeout: 30000, timeoutMsg: 'token not listed' });
  const certs = await tids('cert-item', list);
  assert.ok(certs.length >= 4, `certificates listed: ${certs.length}`);
  assert.ok((await list.getText()).includes('Nguyễn Văn An'));
  await s.screenshot('12-thiet-bi');
});

test('8. Báo cáo counts the signature, the seal and the registration of this year', async () => {
  await nav('nav-reports');
  const table = await tid('report-table');
  await s.browser.waitUntil(async () => /Ký cá nhân/.test(await table.getText()), { timeout: 20000, timeoutMsg: 'no report' });
  const lines = [];
  for (const r of await table.$$('tbody tr')) {
    const cells = [];
    for (const c of await r.$$('th, td')) cells.push((await c.getText()).trim());
    lines.push(cells);
  }
  // Each act once, in one half of the year, and once for the year: [label, H1, H2, year].
  for (const label of ['Ký cá nhân', 'Đóng dấu', 'Vào sổ']) {
    const row = lines.find((c) => c[0].includes(label));
    assert.ok(row, `no row ${label}: ${JSON.stringify(lines)}`);
    const [, h1, h2, year] = row.map((x) => Number(x));
    assert.equal(year, 1, `${label}: ${JSON.stringify(row)}`);
    assert.equal(h1 + h2, 1, `${label}: ${JSON.stringify(row)}`);
  }
  await s.screenshot('13-bao-cao');
});

test('9. the PIN is changed in the PIN window, never in the main page', async () => {
  await nav('nav-devices');
  assert.equal((await s.browser.$$('input[type="password"]')).length, 0, 'no PIN field in the main page');
  await (await s.browser.$('.token[data-label="KYSO-TEST"] [data-testid="change-pin-button"]')).click();
  await inPinWindow(async () => {
    assert.match(await (await tid('pin-title')).getText(), /KYSO-TEST/);
    await (await tid('pin-input')).setValue('000000');
    await (await tid('pin-new')).setValue('654321');
    await (await tid('pin-confirm')).setValue('654321');
    await (await tid('pin-ok')).click();
    await s.browser.waitUntil(async () => (await (await tid('pin-error')).getText()).includes('PIN'),
      { timeout: 30000, timeoutMsg: 'a wrong current PIN was not reported' });
    await (await tid('pin-input')).setValue('123456');
    await (await tid('pin-new')).setValue('654321');
    await (await tid('pin-confirm')).setValue('654321');
    await (await tid('pin-ok')).click();
  });
  await pinWindowClosed();
  await s.browser.waitUntil(async () => (await s.browser.$('.screen-devices .notice').getText()).includes('Đã đổi mã PIN'),
    { timeout: 20000, timeoutMsg: 'no notice after the PIN change' });
});
