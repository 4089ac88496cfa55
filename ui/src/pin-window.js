// The PIN window (pin.html): its own page in its own window, which the main page
// cannot script. It shows what the shell says will be signed (pin_request) and
// sends the PIN to the shell (pin_submit), which answers with the token's verdict:
// accepted (the shell closes this window), retry (wrong PIN: tries left shown), or
// failed. Enter = sign, Esc = cancel. The PIN is never kept or logged here.
import './style.css';
import { invoke } from '@tauri-apps/api/core';
import { t, setLang, detectLang, applyStatic } from './i18n.js';
import { triesInfo, changePinProblem, PIN_MIN, PIN_MAX } from './pin.js';
import { errorText, fileName, formatDate } from './format.js';
import { summaryRows, bridgeRows } from './pin-summary.js';
import { commands } from './commands.js';

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
let busy = false;
let changeMode = false;
let unblockMode = false;
let importMode = false;

/** The unblock code's tries line (`soTries`: the core's PinTries). */
function soLine(tries) {
  return tries && tries !== 'unknown' ? t('pin.so.' + tries) : t('pin.so.unknown');
}

// Unblock: the unblock code, then the new PIN twice; the main field is not used.
function renderUnblock(view) {
  unblockMode = true;
  const u = view.unblock;
  $('pin-title').textContent = t('pin.unblockTitle', { label: u.tokenLabel });
  $('pin-input-field').hidden = true;
  $('pin-so-field').hidden = false;
  $('pin-change-fields').hidden = false;
  $('pin-ok').textContent = t('pin.unblock');
  const box = $('pin-summary');
  box.textContent = '';
  const hint = document.createElement('p');
  hint.textContent = t('pin.unblockHint');
  const serial = document.createElement('p');
  serial.textContent = `${t('pin.serial')}: ${u.tokenSerial}`;
  const so = document.createElement('p');
  so.dataset.testid = 'pin-so-tries';
  so.textContent = soLine(u.soTries);
  box.append(hint, serial, so);
  showError(view.error);
}

// Import: the PIN only; the summary says which file goes onto which token.
function renderImport(view) {
  importMode = true;
  const i = view.import;
  $('pin-title').textContent = t('pin.importTitle', { label: i.tokenLabel });
  $('pin-ok').textContent = t('pin.import');
  const box = $('pin-summary');
  box.textContent = '';
  const p = document.createElement('p');
  p.dataset.testid = 'pin-import-file';
  p.textContent = `${t('pin.importFile')}: ${i.fileName}`;
  box.append(p);
  showError(view.error);
}

function renderChange(view) {
  changeMode = true;
  $('pin-title').textContent = t('pin.changeTitle', { label: view.changeToken });
  $('pin-input-label').textContent = t('pin.old');
  $('pin-change-fields').hidden = false;
  $('pin-ok').textContent = t('common.ok');
  $('pin-summary').textContent = '';
  showError(view.error);
}

function render(view) {
  if (view.changeToken) { renderChange(view); return; }
  if (view.unblock) { renderUnblock(view); return; }
  if (view.import) { renderImport(view); return; }
  const s = view.summary;
  $('pin-title').textContent = t(s.role === 'seal' ? 'pin.confirmSeal' : 'pin.confirmSign', { n: s.documents.length });
  if (view.bridge) renderBridge(view.bridge, s);
  const box = $('pin-summary');
  box.textContent = '';
  const dl = document.createElement('dl');
  for (const [k, v] of summaryRows(s)) {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    dl.append(dt, dd);
  }
  box.append(dl);
  const docs = document.createElement('ol');
  docs.className = 'pin-docs';
  for (const d of s.documents) {
    const li = document.createElement('li');
    li.dataset.testid = 'pin-doc';
    const parts = [fileName(d.fileName), `SHA-256 ${d.sha256.slice(0, 16)}…`];
    if (d.docNumber) parts.push(`${t('clerk.number')}: ${d.docNumber}`);
    if (d.docDate) parts.push(`${t('clerk.date')}: ${formatDate(d.docDate)}`);
    li.textContent = parts.join(' · ');
    docs.append(li);
  }
  box.append(docs);
  showError(view.error);
}

// A web page's request: who asks, for what, which file; and its first page.
function renderBridge(b, s) {
  $('pin-title').textContent = t('pin.bridgeTitle');
  const box = $('pin-bridge');
  box.textContent = '';
  const dl = document.createElement('dl');
  for (const [k, v] of bridgeRows(b, s)) {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    dl.append(dt, dd);
  }
  const hint = document.createElement('p');
  hint.textContent = t('pin.bridgeHint');
  box.append(dl, hint);
  box.hidden = false;
  if (!previewShown) { previewShown = true; showPreview(); }
}

let previewShown = false;

async function showPreview() {
  const aside = $('pin-preview');
  aside.hidden = false;
  const canvas = $('pin-preview-canvas');
  try {
    const [{ openPdf, renderPage }, bytes] = await Promise.all([import('./pdf-render.js'), invoke(commands.pin_document.name)]);
    const pdf = await openPdf(bytes);
    await renderPage(pdf, 1, canvas, 280);
    canvas.dataset.rendered = 'true';
  } catch (_) {
    canvas.hidden = true;
    $('pin-preview-note').textContent = t('pin.previewFailed');
    $('pin-preview-note').hidden = false;
  }
}

function showError(err) {
  const so = err && err.kind === 'so_pin_incorrect';
  const info = so ? { message: soLine(err.pinTries), level: err.pinTries } : triesInfo(err && err.pinTries);
  $('pin-tries').textContent = info.message;
  $('pin-tries').hidden = !info.message;
  $('pin-tries').dataset.level = info.level || '';
  $('pin-error').textContent = err ? errorText(err) : '';
  $('pin-error').hidden = !err;
}

async function submitChange() {
  const [o, n, c] = ['pin-input', 'pin-new', 'pin-confirm'].map($);
  const problem = changePinProblem(o.value, n.value, c.value);
  if (problem) { showError({ vi: problem, en: problem }); return; }
  const args = { oldPin: o.value, newPin: n.value };
  o.value = ''; n.value = ''; c.value = '';
  busy = true;
  $('pin-ok').disabled = true;
  try {
    const attempt = await invoke(commands.pin_change_submit.name, args);
    if (attempt.state !== 'accepted') showError(attempt.error);
  } catch (e) {
    showError(e);
  } finally {
    args.oldPin = null; args.newPin = null;
    busy = false;
    $('pin-ok').disabled = false;
    o.focus();
  }
}

async function submitUnblock() {
  const [so, n, c] = ['pin-so', 'pin-new', 'pin-confirm'].map($);
  let problem = '';
  if (!so.value || !n.value) problem = t('pin.empty');
  else if (n.value.length < PIN_MIN || n.value.length > PIN_MAX) problem = t('pin.tooShort', { min: PIN_MIN, max: PIN_MAX });
  else if (n.value !== c.value) problem = t('pin.mismatch');
  if (problem) { showError({ vi: problem, en: problem }); return; }
  const args = { soPin: so.value, newPin: n.value, newPinAgain: c.value };
  so.value = ''; n.value = ''; c.value = '';
  busy = true;
  $('pin-ok').disabled = true;
  try {
    const attempt = await invoke(commands.pin_unblock_submit.name, args);
    if (attempt.state !== 'accepted') showError(attempt.error);
  } catch (e) {
    showError(e);
  } finally {
    args.soPin = null; args.newPin = null; args.newPinAgain = null;
    busy = false;
    $('pin-ok').disabled = false;
    so.focus();
  }
}

async function submit(ev) {
  ev.preventDefault();
  if (busy) return;
  if (changeMode) { await submitChange(); return; }
  if (unblockMode) { await submitUnblock(); return; }
  const input = $('pin-input');
  let pin = input.value;
  input.value = '';
  if (!pin) { showError({ vi: t('pin.empty', {}, 'vi'), en: t('pin.empty', {}, 'en') }); input.focus(); return; }
  busy = true;
  $('pin-ok').disabled = true;
  $('pin-ok').textContent = t('common.working');
  try {
    const attempt = await invoke(commands.pin_submit.name, { pin });
    pin = null;
    if (attempt.state === 'retry') showError(attempt.error);
    else if (attempt.state === 'failed') showError(attempt.error);
    // accepted: the shell closes this window.
  } catch (e) {
    showError(e);
  } finally {
    pin = null;
    busy = false;
    $('pin-ok').disabled = false;
    $('pin-ok').textContent = t(importMode ? 'pin.import' : 'pin.sign');
    input.focus();
  }
}

async function start() {
  setLang(detectLang());
  applyStatic(document);
  $('pin-form').addEventListener('submit', submit);
  $('pin-cancel').addEventListener('click', () => invoke(commands.pin_cancel.name).catch(() => {}));
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { ev.preventDefault(); invoke(commands.pin_cancel.name).catch(() => {}); }
  });
  try {
    render(await invoke(commands.pin_request.name));
  } catch (e) {
    showError(e);
    $('pin-ok').disabled = true;
  }
  (unblockMode ? $('pin-so') : $('pin-input')).focus();
}

start();
