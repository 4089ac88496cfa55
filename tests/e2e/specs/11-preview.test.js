// What the screen shows is where it lands (issue 16), on the real app with a SoftHSM2 token:
//  1. Ký, for three drafts (the LibreOffice decision, the two-signers draft, the
//     object-stream draft): the preview, planned with the chosen certificate and the
//     signature image, says the signer's block was found; its box equals the signed
//     stamp's box — the widget's /Rect in the signed file as pyHanko's reader sees it,
//     and the sign result — within 0.5 mm; after signing the view shows the signed file
//     itself with the blue ink of the signature inside the stamp box (canvas pixels).
//  2. A box moved in the preview (keyboard: the same path as a drag) is signed where it was moved.
//  3. Văn thư: the date field shows and takes 06/12/2026 for 6 December 2026; before the
//     PIN window opens, the preview shows red ink where the seal will be and text in the
//     number blank; the seal lands in the previewed box; the sealed file is shown after.
// Prints `e2e-preview:` lines with the measured differences and pixel counts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, inPinWindow as inPinWindowOf, startApp, tempDir, TESTBED, prepareTestbed, prepareStampImages } from '../lib/session.js';

const SIG_BOXES = path.join(REPO_ROOT, 'tests/e2e/lib/sig-boxes.py');
const TOLERANCE_MM = 0.5;

const DRAFTS = [
  { key: 'lo', src: 'draft-lo.pdf', name: 'Quyết định 20 về chữ ký số.pdf', cert: 'KYSO-TEST|01', what: 'the LibreOffice decision' },
  { key: 'two', src: 'draft-two-signers.pdf', name: 'Hợp đồng 21 hai bên ký.pdf', cert: 'KYSO-TEST|02', what: 'the two-signers draft' },
  { key: 'objstm', src: 'draft-objstm.pdf', name: 'Quyết định 22 luồng đối tượng.pdf', cert: 'KYSO-TEST|01', what: 'the object-stream draft' },
  { key: 'moved', src: 'draft-lo.pdf', name: 'Công văn 23 kéo chữ ký.pdf', cert: 'KYSO-TEST|01', what: 'a moved stamp' },
];
const SEAL_CERT = 'KYSO-TEST|04';
const DOC_NUMBER = '20/QĐ-UBND';

let s;
let work;
const files = {};
const signedBoxes = {};

before(async () => {
  work = tempDir('kyso-e2e-preview-');
  const { tb, conf, crls } = prepareTestbed(work);
  const docs = path.join(work, 'docs');
  fs.mkdirSync(docs);
  for (const d of DRAFTS) {
    files[d.key] = path.join(docs, d.name);
    fs.copyFileSync(path.join(TESTBED, 'drafts', d.src), files[d.key]);
  }
  const dataDir = path.join(work, 'data');
  prepareStampImages(work, dataDir);
  // The outside reader must be there: a missing tool fails, never skips.
  execFileSync('python3', ['-c', 'import pyhanko.pdf_utils.reader']);

  s = await startApp({
    name: '11-preview',
    args: DRAFTS.map((d) => files[d.key]),
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
const stem = (file) => path.basename(file, '.pdf');

async function rowWithText(listId, itemId, text, timeout = 30000) {
  let found = null;
  await s.browser.waitUntil(async () => {
    for (const row of await tids(itemId, await tid(listId))) {
      try {
        if ((await row.getText()).includes(text)) { found = row; return true; }
      } catch { /* re-rendered meanwhile */ }
    }
    return false;
  }, { timeout, timeoutMsg: `no ${itemId} containing "${text}"` });
  return found;
}

async function choose(selectId, value) {
  const sel = await tid(selectId);
  await s.browser.waitUntil(async () => {
    for (const o of await sel.$$('option')) if ((await o.getAttribute('value')) === value) return true;
    return false;
  }, { timeout: 30000, timeoutMsg: `${selectId} never offered ${value}` });
  await sel.selectByAttribute('value', value);
}

/** The state of a preview view, read in one go from the page. */
function viewState(viewId) {
  return s.browser.execute((viewId) => {
    const view = document.querySelector(`[data-testid="${viewId}"]`);
    const pane = view && view.closest('.preview-pane');
    const box = view && view.querySelector('[data-testid="stamp-box"]');
    const note = pane && pane.querySelector('[data-testid="placement-note"]');
    // Never NaN: WebKitWebDriver cannot serialise it (the driver dies, the session hangs).
    const num = (v) => (v == null || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));
    return {
      ready: view ? view.dataset.ready : null,
      source: view ? view.dataset.source : null,
      page: view ? num(view.dataset.page) : null,
      pageSizeMm: view && view.dataset.pageSizeMm ? view.dataset.pageSizeMm.split(',').map(num) : null,
      box: box && !box.hidden && box.dataset.boxMm ? box.dataset.boxMm.split(',').map(num) : null,
      boxPage: box ? num(box.dataset.page) : null,
      boxFor: box ? box.dataset.for : null,
      boxPlacement: box ? box.dataset.placement : null,
      note: note ? note.textContent : '',
      notePlacement: note ? note.dataset.placement : '',
      fills: pane ? [...pane.querySelectorAll('[data-testid="fill-box"]')].map((f) => ({ text: f.dataset.text, box: f.dataset.boxMm.split(',').map(Number) })) : [],
    };
  }, viewId);
}

/** Wait until `viewId` shows `source` drawn, with a box planned for `cert` (when given). */
async function waitView(viewId, { source, cert, placement, page, timeout = 60000 }) {
  let last = null;
  // First through element attributes only: a script run while the page is busy
  // swapping documents has made WebKitWebDriver 2.50 segfault (the session then hangs).
  const view = await tid(viewId);
  let seen = '';
  try {
    await s.browser.waitUntil(async () => {
      const [ready, shown] = [await view.getAttribute('data-ready'), await view.getAttribute('data-source')];
      seen = `ready=${ready} source=${shown}`;
      return ready === '1' && shown === source;
    }, { timeout, interval: 250 });
  } catch {
    const banner = await tid('error-banner');
    const error = (await banner.isExisting()) ? await banner.getText() : '';
    throw new Error(`${viewId} never showed the ${source} file (${seen}; error banner: "${error}")`);
  }
  await s.browser.waitUntil(async () => {
    try {
      last = await viewState(viewId);
    } catch (e) {
      last = { error: String(e && e.message ? e.message : e) };
      return false;
    }
    return last.ready === '1' && last.source === source
      && (!cert || last.boxFor === cert)
      && (!placement || (last.box && last.boxPlacement === placement))
      && (page == null || last.page === page);
  }, { timeout, interval: 250, timeoutMsg: `${viewId} never showed ${source} ${cert || ''} ${placement || ''} (last: ${JSON.stringify(last)})` });
  return last;
}

/**
 * Count the pixels of `kind` (`blue`, `red`, `dark`) in `boxMm` on the canvas of `viewId`,
 * read through WebDriver from the canvas pdf.js drew into.
 */
function inkInBox(viewId, boxMm, kind) {
  return s.browser.execute((viewId, boxMm, kind) => {
    const view = document.querySelector(`[data-testid="${viewId}"]`);
    const canvas = view.querySelector('canvas');
    const [pw, ph] = view.dataset.pageSizeMm.split(',').map(Number);
    const sx = canvas.width / pw;
    const sy = canvas.height / ph;
    const x0 = Math.max(0, Math.floor(boxMm[0] * sx));
    const y0 = Math.max(0, Math.floor(boxMm[1] * sy));
    const w = Math.min(canvas.width - x0, Math.ceil(boxMm[2] * sx));
    const h = Math.min(canvas.height - y0, Math.ceil(boxMm[3] * sy));
    const data = canvas.getContext('2d').getImageData(x0, y0, w, h).data;
    const test = {
      blue: (r, g, b) => b > 100 && b - r > 50 && b - g > 30,
      red: (r, g, b) => r > 120 && r - g > 60 && r - b > 50,
      dark: (r, g, b) => r + g + b < 330,
    }[kind];
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && test(data[i], data[i + 1], data[i + 2])) n++;
    }
    return { n, total: w * h, canvas: [canvas.width, canvas.height] };
  }, viewId, boxMm, kind);
}

/** The visible signature widgets of `file`, read by pyHanko (not by KýSố). */
function sigBoxes(file) {
  return JSON.parse(execFileSync('python3', [SIG_BOXES, file], { encoding: 'utf8' }));
}

const maxDiff = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

async function inPinWindow(fn) {
  return inPinWindowOf(s.browser, async () => {
    await (await tid('pin-ok')).waitForDisplayed({ timeout: 20000 });
    await s.browser.waitUntil(async () => (await (await tid('pin-summary')).getText()).length > 0,
      { timeout: 20000, timeoutMsg: 'the PIN window never showed its request' });
  }, () => fn());
}

async function signInPinWindow() {
  await (await tid('sign-button')).click();
  await inPinWindow(async () => {
    await (await tid('pin-input')).setValue('123456');
    await (await tid('pin-ok')).click();
  });
  await s.browser.waitUntil(async () => (await s.browser.getWindowHandles()).length === 1,
    { timeout: 60000, timeoutMsg: 'the PIN window stayed open' });
}

/** Select `d` in Ký with its certificate; wait for the preview planned with it. */
async function previewInKy(d) {
  await (await rowWithText('doc-list', 'doc-item', stem(files[d.key]))).click();
  await choose('cert-select', d.cert);
  return waitView('pdf-view', { source: 'preview', cert: d.cert });
}

/** Sign the selected draft; the view then shows the signed file. Returns its box. */
async function signAndCompare(d, preview) {
  await signInPinWindow();
  const result = await tid('sign-result');
  await result.waitForDisplayed({ timeout: 90000 });
  await s.browser.waitUntil(async () => (await result.getText()).includes('Hợp lệ'),
    { timeout: 30000, timeoutMsg: `sign result: ${await result.getText()}` });
  const signedView = await waitView('pdf-view', { source: 'signed', page: preview.boxPage });
  const caption = await (await tid('view-caption')).getText();
  assert.ok(caption.includes(`${stem(files[d.key])}.signed.pdf`) && caption.includes('Hợp lệ'), `caption: ${caption}`);

  const signedFile = files[d.key].replace(/\.pdf$/, '.signed.pdf');
  const widgets = sigBoxes(signedFile);
  assert.equal(widgets.length, 1, `${d.what}: one visible signature widget: ${JSON.stringify(widgets)}`);
  const w = widgets[0];
  assert.equal(w.page, preview.boxPage, `${d.what}: signed on the previewed page`);
  const dFile = maxDiff(preview.box, w.boxMm);
  const dResult = maxDiff(preview.box, signedView.box);
  assert.ok(dFile <= TOLERANCE_MM, `${d.what}: preview ${preview.box} vs signed widget ${w.boxMm}: ${dFile.toFixed(3)} mm`);
  assert.ok(dResult <= TOLERANCE_MM, `${d.what}: preview ${preview.box} vs sign result ${signedView.box}: ${dResult.toFixed(3)} mm`);

  // The signed page itself, with the signature's blue ink inside the stamp box.
  const ink = await inkInBox('pdf-view', w.boxMm, 'blue');
  assert.ok(ink.n >= 100 && ink.n >= 0.01 * ink.total, `${d.what}: blue pixels in the stamp box: ${JSON.stringify(ink)}`);
  console.log(`e2e-preview: ${d.what}: placement ${preview.boxPlacement}, box ${preview.box.map((v) => v.toFixed(1)).join(',')} mm on page ${preview.boxPage}; `
    + `|preview − signed widget (pyHanko)| ≤ ${dFile.toFixed(3)} mm, |preview − sign result| ≤ ${dResult.toFixed(3)} mm; `
    + `blue px in the signed stamp box: ${ink.n} of ${ink.total}`);
  signedBoxes[d.key] = w;
  return w;
}

for (const d of DRAFTS.filter((x) => x.key !== 'moved')) {
  test(`Ký, ${d.what}: the preview says the block was found and is the box signed, with blue ink after signing`, async () => {
    const preview = await previewInKy(d);
    assert.equal(preview.boxPlacement, 'found', `${d.what}: ${JSON.stringify(preview)}`);
    assert.equal(preview.notePlacement, 'found');
    assert.match(preview.note, /tìm theo mẫu, giữa chức vụ và họ tên/);
    assert.doesNotMatch(preview.note, /Không tìm thấy/);
    assert.equal(preview.page, preview.boxPage, 'the stamp\'s page is shown');
    // The preview is the document with the signature drawn in (before any PIN).
    const ink = await inkInBox('pdf-view', preview.box, 'blue');
    assert.ok(ink.n >= 100, `${d.what}: blue pixels in the previewed box: ${JSON.stringify(ink)}`);
    if (d.key === 'lo') await s.screenshot('20-ky-xem-truoc-vi-tri-chu-ky');
    if (d.key === 'two') await s.screenshot('21-ky-xem-truoc-hai-nguoi-ky');
    await signAndCompare(d, preview);
    if (d.key === 'lo') await s.screenshot('22-ky-da-ky-ban-da-ky');
  });
}

test('Ký: a stamp moved in the preview is signed where it was moved, at the size shown', async () => {
  const d = DRAFTS.find((x) => x.key === 'moved');
  const found = await previewInKy(d);
  assert.equal(found.boxPlacement, 'found');
  // Arrow keys move the focused box 5 mm a step with Shift (the same onMove as a drag).
  // The key events are dispatched in the page: WebKitWebDriver's own key actions on
  // this element never return (the session hangs), so the page's handler is driven
  // directly — the same listener a keyboard user reaches.
  const focused = await s.browser.execute(() => {
    const el = document.querySelector('[data-testid="pdf-view"] [data-testid="stamp-box"]');
    el.focus();
    for (const key of ['ArrowLeft', 'ArrowLeft', 'ArrowUp']) {
      el.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey: true, bubbles: true, cancelable: true }));
    }
    return document.activeElement === el;
  });
  assert.ok(focused, 'the stamp box takes the keyboard focus');
  const moved = await waitView('pdf-view', { source: 'preview', cert: d.cert, placement: 'given' });
  assert.ok(Math.abs(moved.box[0] - (found.box[0] - 10)) <= 0.15 && Math.abs(moved.box[1] - (found.box[1] - 5)) <= 0.15,
    `moved by (−10, −5) mm: ${found.box} → ${moved.box}`);
  assert.ok(maxDiff(moved.box.slice(2), found.box.slice(2)) <= 0.15, `size kept: ${found.box} → ${moved.box}`);
  await signAndCompare(d, moved);
});

test('Văn thư: 06/12/2026, and red ink where the seal will be and the number in its blank before the PIN window', async () => {
  await (await tid('nav-clerk')).click();
  // Every signed draft is checked on arrival (each verdict re-draws the list): wait until
  // all of them have their verdict, then take the row.
  await s.browser.waitUntil(async () => {
    const rows = await tids('clerk-item', await tid('clerk-list'));
    if (rows.length < Object.keys(signedBoxes).length) return false;
    for (const r of rows) {
      try {
        if (!(await r.$$('[data-testid="sig-verdict"]')).length) return false;
      } catch { return false; }
    }
    return true;
  }, { timeout: 90000, interval: 500, timeoutMsg: 'no signature verdict before sealing' });
  const row = await rowWithText('clerk-list', 'clerk-item', stem(files.lo));
  const date = await row.$('[data-testid="doc-date-input"]');
  assert.match(await date.getValue(), /^\d{2}\/\d{2}\/\d{4}$/, 'today shown as dd/mm/yyyy');
  await date.clearValue();
  await date.setValue('06/12/2026');
  await (await row.$('[data-testid="doc-number-input"]')).setValue(DOC_NUMBER);
  assert.equal(await date.getValue(), '06/12/2026');
  assert.equal(await date.getAttribute('data-iso'), '2026-12-06', '06/12/2026 is 6 December 2026');
  assert.equal(await date.getAttribute('aria-invalid'), 'false');
  await choose('clerk-cert-select', SEAL_CERT);
  const check = await row.$('[data-testid="clerk-check"]');
  // Ticked through the element's own click(): WebKitWebDriver's pointer click on a row
  // scrolled into the narrow list column lands beside the checkbox.
  await row.scrollIntoView({ block: 'center' });
  if (!(await check.isSelected())) await s.browser.execute((el) => el.click(), check);
  assert.ok(await check.isSelected(), 'the document is selected for sealing');
  // Ticking it shows its preview; so does its "Xem trước" button.
  await s.browser.execute((el) => el.click(), await row.$('[data-testid="preview-button"]'));

  // The seal, on the leader's signature page, in red — before any PIN is asked.
  let view = await waitView('clerk-view', { source: 'preview', cert: SEAL_CERT, placement: 'found' });
  await s.browser.waitUntil(async () => (await viewState('clerk-view')).note.includes('20'),
    { timeout: 30000, timeoutMsg: 'the number never reached the preview' });
  view = await waitView('clerk-view', { source: 'preview', cert: SEAL_CERT, placement: 'found' });
  assert.equal((await s.browser.getWindowHandles()).length, 1, 'no PIN window yet');
  assert.equal(view.page, view.boxPage);
  const lo = signedBoxes.lo;
  assert.ok(lo && view.boxPage === lo.page, 'the seal goes on the page of the leader\'s signature');
  // R2: the seal covers about a third of the personal signature, on its left.
  const right = view.box[0] + view.box[2];
  assert.ok(right > lo.boxMm[0] && right < lo.boxMm[0] + 0.5 * lo.boxMm[2], `seal ${view.box} over the left of ${lo.boxMm}`);
  const red = await inkInBox('clerk-view', view.box, 'red');
  assert.ok(red.n >= 200 && red.n >= 0.02 * red.total, `red pixels where the seal will be: ${JSON.stringify(red)}`);
  await s.browser.execute(() => window.scrollTo(0, 0)); // the preview is at the top of its column
  await s.screenshot('23-van-thu-xem-truoc-dau');

  // Page 1: the number and the date in their blanks.
  const pager = await (await tid('clerk-view')).$('..');
  await (await pager.$('.pager .btn')).click(); // ‹ previous page
  const p1 = await waitView('clerk-view', { source: 'preview', page: 1 });
  const number = p1.fills.find((f) => f.text === '20');
  assert.ok(number, `the number's blank: ${JSON.stringify(p1.fills)}`);
  const day = p1.fills.find((f) => f.text === '06');
  const month = p1.fills.find((f) => f.text === '12');
  assert.ok(day && month, `day 06 and month 12 in the date blanks: ${JSON.stringify(p1.fills)}`);
  // The page may still be drawing (pdf.js renders asynchronously): wait for the ink,
  // then assert on what was read.
  const inkOf = async (box, min) => {
    let got = { n: 0 };
    await s.browser.waitUntil(async () => (got = await inkInBox('clerk-view', box, 'dark')).n >= min,
      { timeout: 15000, interval: 300 }).catch(() => {});
    return got;
  };
  const text = await inkOf(number.box, 15);
  assert.ok(text.n >= 15, `text pixels in the number blank: ${JSON.stringify(text)}`);
  const dayText = await inkOf(day.box, 10);
  assert.ok(dayText.n >= 10, `text pixels in the day blank: ${JSON.stringify(dayText)}`);
  assert.equal((await s.browser.getWindowHandles()).length, 1, 'still no PIN window');
  await s.browser.execute(() => window.scrollTo(0, 0)); // the preview is at the top of its column
  await s.screenshot('24-van-thu-xem-truoc-so-ngay');
  console.log(`e2e-preview: Văn thư preview: red px in the seal box ${red.n} of ${red.total}; dark px in the number blank "${number.text}" ${text.n} of ${text.total}, in the day blank ${dayText.n} of ${dayText.total}`);

  // Seal: the PIN window lists the date as 06/12/2026; the seal lands in the previewed box.
  await (await tid('seal-button')).click();
  await inPinWindow(async () => {
    const summary = await (await tid('pin-summary')).getText();
    assert.ok(summary.includes(DOC_NUMBER) && summary.includes('06/12/2026'), summary);
    await (await tid('pin-input')).setValue('123456');
    await (await tid('pin-ok')).click();
  });
  await s.browser.waitUntil(async () => (await s.browser.getWindowHandles()).length === 1,
    { timeout: 60000, timeoutMsg: 'the PIN window stayed open' });
  const sealedRow = await rowWithText('sealed-list', 'clerk-item', stem(files.lo), 120000);
  assert.ok((await sealedRow.getText()).includes('06/12/2026'), await sealedRow.getText());
  const after = await waitView('clerk-view', { source: 'signed', page: view.boxPage });
  let caption = '';
  await s.browser.waitUntil(async () => (caption = await (await tid('view-caption', await tid('clerk-view-col'))).getText()).includes('Hợp lệ'),
    { timeout: 60000, timeoutMsg: `no verdict beside the sealed file: "${caption}"` });
  const sealedFile = files.lo.replace(/\.pdf$/, '.sealed.pdf');
  const widgets = sigBoxes(sealedFile).filter((w) => w.page === view.boxPage);
  const seal = widgets.find((w) => w.field !== lo.field);
  assert.ok(seal, `the seal's widget: ${JSON.stringify(widgets)}`);
  const dSeal = maxDiff(view.box, seal.boxMm);
  assert.ok(dSeal <= TOLERANCE_MM, `preview ${view.box} vs sealed widget ${seal.boxMm}: ${dSeal.toFixed(3)} mm`);
  assert.ok(after.box && maxDiff(after.box, view.box) <= TOLERANCE_MM, `sealed box shown: ${after.box}`);
  const sealedRed = await inkInBox('clerk-view', seal.boxMm, 'red');
  assert.ok(sealedRed.n >= 200, `red pixels in the sealed file's seal box: ${JSON.stringify(sealedRed)}`);
  await s.browser.execute(() => window.scrollTo(0, 0)); // the preview is at the top of its column
  await s.screenshot('25-van-thu-da-dong-dau');
  console.log(`e2e-preview: Văn thư: |preview − sealed widget (pyHanko)| ≤ ${dSeal.toFixed(3)} mm; red px in the sealed file's seal box ${sealedRed.n} of ${sealedRed.total}`);
});
