// Báo cáo: documents signed per role, per half-year and year (R17), CSV export;
// the token handovers of the year (R16).
import { call } from '../api.js';
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { showError, clearError } from '../notify.js';
import { reportRows, defaultCsvName } from '../report.js';
import { isValidYear } from '../validate.js';
import { formatDate } from '../format.js';

export function createReportsScreen() {
  const thisYear = Number(new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 4));
  const s = { year: thisYear, entries: null, handovers: null, notice: '' };
  const handoverTable = h('table', { class: 'table handover-table', testid: 'handover-table' });
  const yearIn = h('input', { type: 'number', class: 'year-input', testid: 'report-year', min: '2000', max: '2100', value: String(thisYear),
    onchange: () => load() });
  const table = h('table', { class: 'table report-table', testid: 'report-table' });
  const exportBtn = h('button', { type: 'button', class: 'btn', testid: 'report-export-csv', onclick: exportCsv });
  const noticeEl = h('p', { class: 'notice', hidden: true });
  const hd = {};
  const el = h('section', { class: 'screen screen-reports' },
    h('div', { class: 'col col-main' },
      hd.title = h('h2'),
      h('div', { class: 'row' }, h('label', { class: 'field inline' }, hd.year = h('span'), yearIn), exportBtn),
      table,
      hd.empty = h('p', { class: 'muted', hidden: true }),
      noticeEl,
      hd.handovers = h('h3'),
      handoverTable,
      hd.noHandovers = h('p', { class: 'muted', testid: 'handover-empty', hidden: true })));

  function renderHandovers() {
    hd.handovers.textContent = t('reports.handovers');
    clear(handoverTable);
    const list = s.handovers || [];
    hd.noHandovers.hidden = s.handovers == null || list.length > 0;
    hd.noHandovers.textContent = t('reports.handovers.empty', { year: s.year });
    if (!list.length) return;
    handoverTable.append(
      h('thead', {}, h('tr', {}, ['handover.date', 'reports.handovers.token', 'handover.from', 'handover.to', 'handover.witness']
        .map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, list.map((e) => h('tr', { testid: 'handover-row', dataset: { id: e.id, documentId: e.documentId } },
        h('td', { text: formatDate(e.handoverDate) }),
        h('td', { text: `${e.tokenLabel} (${e.tokenSerial})` }),
        h('td', { text: e.fromName }),
        h('td', { text: e.toName }),
        h('td', { text: e.witness || '—' })))));
  }

  function render() {
    hd.title.textContent = t('reports.title');
    hd.year.textContent = t('reports.year');
    exportBtn.textContent = t('reports.export');
    noticeEl.hidden = !s.notice;
    noticeEl.textContent = s.notice;
    renderHandovers();
    clear(table);
    if (!s.entries) return;
    const rows = reportRows(s.entries, s.year);
    table.append(
      h('thead', {}, h('tr', {}, ['reports.role', 'reports.h1', 'reports.h2', 'reports.year.total'].map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, rows.map((r) => h('tr', { class: r.role === 'total' ? 'total' : '', dataset: { role: r.role } },
        h('th', { scope: 'row', text: r.label }),
        h('td', { class: 'num', text: String(r.h1) }),
        h('td', { class: 'num', text: String(r.h2) }),
        h('td', { class: 'num', text: String(r.year) })))));
    hd.empty.hidden = rows[rows.length - 1].year > 0;
    hd.empty.textContent = t('reports.empty', { year: s.year });
  }

  async function load() {
    clearError();
    if (!isValidYear(yearIn.value)) { showError(t('error.year')); return; }
    s.year = Number(yearIn.value);
    try { s.entries = await call('role_report', { year: s.year }); } catch (e) { s.entries = null; showError(e); }
    try { s.handovers = await call('list_handovers', { year: s.year }); } catch (e) { s.handovers = null; showError(e); }
    render();
  }

  async function exportCsv() {
    clearError();
    if (!isValidYear(yearIn.value)) { showError(t('error.year')); return; }
    const year = Number(yearIn.value);
    try {
      const file = await call('pick_save_path', { defaultName: defaultCsvName(year) });
      if (!file) return;
      const out = await call('export_report_csv', { year, file: file.handle });
      s.notice = t('common.fileSaved', { path: out || file.name });
    } catch (e) { showError(e); }
    render();
  }

  return { el, render, show: load };
}
