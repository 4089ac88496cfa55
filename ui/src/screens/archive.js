// Lưu trữ: search the archive, back it up, check it (R12).
import { call } from '../api.js';
import { h, clear } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { showError, clearError } from '../notify.js';
import { fileName, formatDate, formatDateTime, statusLabel } from '../format.js';
import { rangeProblem } from '../validate.js';
import { docLabel, dateField } from '../widgets.js';

export function createArchiveScreen() {
  const s = { results: null, notice: '', bad: [], history: new Map(), open: null };
  const input = h('input', { type: 'search', class: 'search-input', testid: 'archive-search-input', autocomplete: 'off',
    onkeydown: (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); search(); } } });
  // Dates typed as day/month/year (the query takes YYYY-MM-DD).
  const range = { from: '', to: '' };
  const from = dateField({ testid: 'archive-from', onChange: (iso, text) => { range.from = iso || text.trim(); } });
  const to = dateField({ testid: 'archive-to', onChange: (iso, text) => { range.to = iso || text.trim(); } });
  const searchBtn = h('button', { type: 'button', class: 'btn btn-primary', testid: 'archive-search-button', onclick: search });
  const results = h('div', { class: 'archive-results', testid: 'archive-results' });
  const backupBtn = h('button', { type: 'button', class: 'btn', testid: 'export-backup-button', onclick: backup });
  const checkBtn = h('button', { type: 'button', class: 'btn', testid: 'check-archive-button', onclick: check });
  const extendBtn = h('button', { type: 'button', class: 'btn', testid: 'extend-archive-button', onclick: extend });
  const noticeEl = h('div', { class: 'notice', testid: 'archive-notice', hidden: true });
  const hd = {};
  const el = h('section', { class: 'screen screen-archive' },
    h('div', { class: 'col col-main' },
      hd.title = h('h2'),
      h('div', { class: 'row search-row' },
        input,
        h('label', { class: 'field' }, hd.from = h('span'), from),
        h('label', { class: 'field' }, hd.to = h('span'), to),
        searchBtn),
      results,
      h('div', { class: 'row tools' }, backupBtn, checkBtn, extendBtn),
      noticeEl));

  function renderResults() {
    clear(results);
    if (!s.results) return;
    results.append(h('p', { class: 'muted', text: s.results.length ? t('archive.count', { n: s.results.length }) : t('archive.empty') }));
    if (!s.results.length) return;
    const head = ['archive.col.number', 'archive.col.date', 'archive.col.title', 'archive.col.signers', 'archive.col.status'];
    const rows = [];
    for (const d of s.results) {
      const historyBtn = h('button', { type: 'button', class: 'btn btn-small', testid: 'history-button', 'aria-expanded': String(s.open === d.id), onclick: () => toggleHistory(d.id), text: t('archive.history') });
      rows.push(h('tr', { class: 'archive-item', testid: 'archive-item', dataset: { id: d.id, status: d.status } },
        h('td', { text: d.docNumber || '—' }),
        h('td', { text: formatDate(d.docDate || d.updatedAt) }),
        h('td', {}, h('div', { text: docLabel(d) }), h('div', { class: 'small muted', text: fileName(d.currentPath) })),
        h('td', { text: d.signers || '' }),
        h('td', {}, h('span', { class: `status status-${d.status}`, text: statusLabel(d.status) }), ' ', historyBtn)));
      if (s.open === d.id) {
        rows.push(h('tr', { class: 'history-row', testid: 'history' }, h('td', { colspan: '5' }, historyTable(s.history.get(d.id)))));
      }
    }
    results.append(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, rows)));
  }

  /** Who did what and when, with the certificate serial and the file's SHA-256 before and after (R12). */
  function historyTable(entries) {
    if (!entries) return h('p', { class: 'muted small', text: t('common.loading') });
    const short = (x) => (x ? `${x.slice(0, 12)}…` : '');
    return h('table', { class: 'table history' },
      h('thead', {}, h('tr', {}, ['archive.h.at', 'archive.h.action', 'archive.h.actor', 'archive.h.serial', 'archive.h.sha'].map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, entries.map((e) => h('tr', {},
        h('td', { text: formatDateTime(e.at) }),
        h('td', { text: t('history.' + e.action) === 'history.' + e.action ? e.action : t('history.' + e.action) }),
        h('td', { text: e.actor || '' }),
        h('td', { class: 'mono small', text: e.certSerial || '' }),
        h('td', { class: 'mono small', title: `${e.sha256Before || ''} → ${e.sha256After || ''}`, text: e.sha256After && e.sha256Before ? `${short(e.sha256Before)} → ${short(e.sha256After)}` : short(e.sha256After || e.sha256Before) })))));
  }

  async function toggleHistory(id) {
    s.open = s.open === id ? null : id;
    renderResults();
    if (s.open !== id || s.history.has(id)) return;
    try { s.history.set(id, await call('document_history', { id })); } catch (e) { showError(e); s.history.set(id, []); }
    renderResults();
  }

  function renderNotice() {
    noticeEl.hidden = !s.notice;
    clear(noticeEl);
    if (!s.notice) return;
    noticeEl.append(h('p', { text: s.notice }));
    if (s.bad.length) noticeEl.append(h('ul', { class: 'bad-list' }, s.bad.map((b) => h('li', { text: typeof b === 'string' ? b : b.path || b.file || JSON.stringify(b) }))));
  }

  function render() {
    hd.title.textContent = t('archive.title');
    hd.from.textContent = t('archive.from');
    hd.to.textContent = t('archive.to');
    input.placeholder = t('archive.placeholder');
    searchBtn.textContent = t('archive.search');
    backupBtn.textContent = t('archive.backup');
    checkBtn.textContent = t('archive.check');
    extendBtn.textContent = t('archive.extend');
    renderResults();
    renderNotice();
  }

  async function search() {
    clearError();
    const problem = rangeProblem(range.from, range.to);
    if (problem) { showError(problem); return; }
    const args = {};
    if (input.value.trim()) args.text = input.value.trim();
    if (range.from) args.from = range.from;
    if (range.to) args.to = range.to;
    searchBtn.disabled = true;
    try { s.results = await call('search_archive', { query: args }); } catch (e) { showError(e); }
    searchBtn.disabled = false;
    renderResults();
  }

  async function backup() {
    clearError();
    try {
      const folder = await call('pick_folder');
      if (!folder) return;
      backupBtn.disabled = true;
      const out = await call('export_backup', { folder: folder.handle });
      const n = Array.isArray(out.files) ? out.files.length : out.files;
      s.notice = t('archive.backupDone', { n, dir: out.dir });
      s.bad = [];
    } catch (e) { showError(e); } finally { backupBtn.disabled = false; }
    renderNotice();
  }

  /** Archive time-stamps (B-LTA) for documents whose last time-stamp expires within a year. */
  async function extend() {
    clearError();
    extendBtn.disabled = true;
    try {
      const out = await call('extend_archive');
      const done = out.filter((o) => o.result === 'extended');
      const failed = out.filter((o) => o.result === 'failed');
      s.notice = t('archive.extendDone', { n: done.length, due: done.length + failed.length, total: out.length });
      s.bad = failed.map((o) => `${o.fileName}: ${(getLang() === 'en' ? o.errorEn : o.errorVi) || ''}`);
    } catch (e) { showError(e); } finally { extendBtn.disabled = false; }
    renderNotice();
  }

  async function check() {
    clearError();
    checkBtn.disabled = true;
    try {
      const out = await call('check_archive');
      s.bad = out.bad || [];
      s.notice = s.bad.length ? t('archive.checkBad', { n: out.checked, bad: s.bad.length }) : t('archive.checkOk', { n: out.checked });
    } catch (e) { showError(e); } finally { checkBtn.disabled = false; }
    renderNotice();
  }

  return { el, render, show: async () => { render(); if (!s.results) await search(); } };
}
