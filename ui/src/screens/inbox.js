// Kiểm tra: incoming documents are checked (R11); valid → register (vào sổ),
// otherwise reject with a notice; rejected ones are kept in their own list.
import { call } from '../api.js';
import { h, clear } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { showError, clearError } from '../notify.js';
import { fileName, reasonOf, statusLabel } from '../format.js';
import { normaliseNumber, numberProblem } from '../validate.js';
import { verdictBadge, signatureList, docLabel } from '../widgets.js';

export function createInboxScreen(ctx) {
  const s = { docs: [], rejected: [], reports: new Map(), checking: new Set(), numbers: new Map(), open: new Set(), notice: '', busy: new Set() };

  const listEl = h('ul', { class: 'inbox-list', testid: 'inbox-list' });
  const rejectedEl = h('ul', { class: 'rejected-list', testid: 'rejected-list' });
  const addFilesBtn = h('button', { type: 'button', class: 'btn btn-primary', testid: 'inbox-add-files', onclick: () => addFrom(false) });
  const addFolderBtn = h('button', { type: 'button', class: 'btn', testid: 'inbox-add-folder', onclick: () => addFrom(true) });
  const noticeEl = h('p', { class: 'notice', hidden: true });
  const hd = {};
  const el = h('section', { class: 'screen screen-inbox' },
    h('div', { class: 'col col-main' },
      hd.title = h('h2'),
      h('div', { class: 'add-row' }, addFilesBtn, addFolderBtn),
      hd.drop = h('p', { class: 'muted small' }),
      noticeEl,
      listEl,
      hd.rejected = h('h3'),
      rejectedEl));

  function reasonText(d) {
    const r = s.reports.get(d.id);
    return r ? reasonOf(r) : d.verdictReason || '';
  }

  function renderItem(d) {
    const report = s.reports.get(d.id);
    const checking = s.checking.has(d.id);
    const busy = s.busy.has(d.id);
    const num = h('input', {
      type: 'text', class: 'num-input', testid: 'register-number-input', placeholder: '12/QĐ-UBND',
      value: s.numbers.has(d.id) ? s.numbers.get(d.id) : d.docNumber || '', autocomplete: 'off', spellcheck: 'false',
      'aria-label': t('inbox.registerNumber'),
      oninput: () => s.numbers.set(d.id, num.value),
    });
    const canRegister = d.status === 'valid';
    const details = s.open.has(d.id);
    return h('li', { class: 'inbox-item card', testid: 'inbox-item', dataset: { id: d.id, status: d.status } },
      h('div', { class: 'row head' },
        checking ? h('span', { class: 'badge badge-grey', testid: 'verdict-badge', dataset: { verdict: 'checking' }, text: t('inbox.checking') }) : verdictBadge(report || d),
        h('span', { class: 'doc-title', text: docLabel(d) }),
        h('span', { class: `status status-${d.status}`, text: statusLabel(d.status) })),
      h('p', { class: 'reason', testid: 'verdict-reason', text: checking ? '' : reasonText(d) }),
      h('div', { class: 'small muted', text: [fileName(d.sourcePath), d.signers].filter(Boolean).join(' · ') }),
      h('div', { class: 'row actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => toggleDetails(d.id), 'aria-expanded': String(details), text: t('common.details') }),
        h('button', { type: 'button', class: 'btn btn-small', disabled: checking || busy, onclick: () => verify(d.id), text: t('inbox.recheck') })),
      details && report ? signatureList(report, { badgeTestId: 'sig-verdict' }) : null,
      d.status === 'registered' ? null : h('div', { class: 'row fields' },
        h('label', { class: 'field' }, h('span', { text: t('inbox.registerNumber') }), num),
        h('button', { type: 'button', class: 'btn btn-primary', testid: 'register-button', disabled: !canRegister || busy || checking, title: canRegister ? '' : t('inbox.onlyValid'), onclick: () => register(d.id), text: t('inbox.register') }),
        h('button', { type: 'button', class: 'btn btn-danger', testid: 'reject-button', disabled: busy || checking, onclick: () => reject(d.id), text: t('inbox.reject') })));
  }

  function renderRejected(d) {
    return h('li', { class: 'inbox-item card rejected', testid: 'inbox-item', dataset: { id: d.id, status: d.status } },
      h('div', { class: 'row head' },
        verdictBadge(s.reports.get(d.id) || d),
        h('span', { class: 'doc-title', text: docLabel(d) }),
        h('span', { class: `status status-${d.status}`, text: statusLabel(d.status) })),
      h('p', { class: 'reason', testid: 'verdict-reason', text: reasonText(d) }),
      h('div', { class: 'small muted', text: d.currentPath || d.sourcePath || '' }));
  }

  function render() {
    hd.title.textContent = t('inbox.title');
    hd.drop.textContent = t('common.dropHint');
    hd.rejected.textContent = t('inbox.rejectedList');
    addFilesBtn.textContent = t('common.addFiles');
    addFolderBtn.textContent = t('common.addFolder');
    noticeEl.hidden = !s.notice;
    noticeEl.textContent = s.notice;
    clear(listEl);
    if (!s.docs.length) listEl.append(h('li', { class: 'empty muted', text: t('inbox.empty') }));
    for (const d of s.docs) listEl.append(renderItem(d));
    clear(rejectedEl);
    if (!s.rejected.length) rejectedEl.append(h('li', { class: 'empty muted', text: t('inbox.noRejected') }));
    for (const d of s.rejected) rejectedEl.append(renderRejected(d));
  }

  function toggleDetails(id) {
    if (s.open.has(id)) s.open.delete(id); else s.open.add(id);
    if (!s.reports.has(id) && s.open.has(id)) verify(id); else render();
  }

  async function refresh() {
    try {
      const all = await call('list_documents', { role: 'incoming' });
      s.docs = all.filter((d) => d.status !== 'rejected');
      s.rejected = all.filter((d) => d.status === 'rejected');
    } catch (e) { showError(e); }
    render();
  }

  function upsert(doc) {
    const i = s.docs.findIndex((d) => d.id === doc.id);
    if (doc.status === 'rejected') {
      if (i >= 0) s.docs.splice(i, 1);
      if (!s.rejected.some((d) => d.id === doc.id)) s.rejected.unshift(doc);
    } else if (i >= 0) s.docs[i] = doc;
    else s.docs.unshift(doc);
  }

  async function verify(id) {
    s.checking.add(id);
    render();
    try {
      const { doc, report } = await call('verify_document', { id });
      s.reports.set(id, report);
      if (doc) upsert(doc);
    } catch (e) { showError(e); }
    s.checking.delete(id);
    render();
  }

  /** add_documents (role incoming, FileRef handles) then check each, one after another. */
  async function addFiles(files) {
    if (!files || !files.length) return;
    clearError();
    let docs = [];
    try {
      docs = await call('add_documents', { files: files.map((f) => f.handle), role: 'incoming' });
    } catch (e) { showError(e); return; }
    for (const d of docs) { upsert(d); s.checking.add(d.id); }
    render();
    for (const d of docs) await verify(d.id);
  }

  async function addFrom(folder) {
    try {
      const files = await call('pick_files', folder ? { folder: true } : {});
      await addFiles(files || []);
    } catch (e) { showError(e); }
  }

  async function register(id) {
    clearError();
    const raw = s.numbers.has(id) ? s.numbers.get(id) : (s.docs.find((d) => d.id === id) || {}).docNumber || '';
    const problem = numberProblem(raw);
    if (problem) { showError(problem); return; }
    s.busy.add(id);
    render();
    try {
      const n = normaliseNumber(raw);
      const doc = await call('register_document', n ? { id, docNumber: n } : { id });
      upsert(doc);
      s.notice = t('inbox.registered', { file: fileName(doc.currentPath) });
    } catch (e) { showError(e); }
    s.busy.delete(id);
    render();
  }

  async function reject(id) {
    clearError();
    s.busy.add(id);
    render();
    try {
      const out = await call('reject_document', { id, lang: getLang() });
      upsert(out.doc);
      s.notice = t('inbox.rejected', { path: out.noticePdf || out.noticeText || '' });
    } catch (e) { showError(e); }
    s.busy.delete(id);
    render();
  }

  return { el, render, show: refresh, addFiles };
}
