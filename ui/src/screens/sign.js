// Ký: view the draft, place the stamp, choose the certificate, enter the PIN, sign.
import { call } from '../api.js';
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { showError, clearError } from '../notify.js';
import { fileName, reasonOf, statusLabel } from '../format.js';
import { createPreviewPane } from '../preview-pane.js';
import { loadTokens, fillCertSelect, chosenCert, certSummary, verdictBadge, docLabel } from '../widgets.js';
import { confirmDialog } from '../confirm.js';

/**
 * The question asked after a `name_mismatch` refusal: both people named (the name
 * under the block and the certificate's holder). Null when the error is another.
 */
export function nameMismatchQuestion(err) {
  const c = err && err.kind === 'name_mismatch' ? err.nameConflict : null;
  if (!c) return null;
  return {
    title: t('sign.nameMismatch.title'),
    message: t(c.delegation ? 'sign.nameMismatch.delegated' : 'sign.nameMismatch.message',
      { block: c.blockName, holder: c.holder, delegation: c.delegation || '' }),
    details: [[t('sign.nameMismatch.block'), c.blockName], [t('sign.nameMismatch.holder'), c.holder]],
    ok: t('sign.nameMismatch.ok'),
    testid: 'name-mismatch-dialog',
  };
}

export function createSignScreen(ctx) {
  const s = {
    docs: [], selected: null, placement: null, place: null, certs: [], tokens: [], result: null,
    busy: false, waiting: false, previewSeq: 0,
  };

  const listEl = h('ul', { class: 'doc-list', testid: 'doc-list' });
  const pane = createPreviewPane({ onMove: (place) => { s.place = place; refreshPreview(); } });
  const certSelect = h('select', { class: 'cert-select', testid: 'cert-select', onchange: onCertChange });
  const certInfo = h('div');
  const signBtn = h('button', { type: 'button', class: 'btn btn-primary btn-large', testid: 'sign-button', onclick: sign });
  const refreshBtn = h('button', { type: 'button', class: 'btn', onclick: () => refreshCerts(true) });
  const resultEl = h('div', { class: 'result', testid: 'sign-result', hidden: true });
  const waitingEl = h('p', { class: 'note', testid: 'pin-waiting', hidden: true });
  const addRole = h('select', { class: 'role-select' });
  const addBtn = h('button', { type: 'button', class: 'btn', testid: 'add-files-button', onclick: () => ctx.pickAndAdd(addRole.value) });
  const headings = {};

  const el = h('section', { class: 'screen screen-sign' },
    h('div', { class: 'col col-list' },
      headings.list = h('h2'),
      h('div', { class: 'add-row' }, addBtn, headings.addAs = h('label', { class: 'inline' }), addRole),
      headings.drop = h('p', { class: 'muted small' }),
      listEl),
    h('div', { class: 'col col-view' }, pane.el),
    h('div', { class: 'col col-side' },
      headings.cert = h('label', { class: 'field-label' }),
      h('div', { class: 'row' }, certSelect, refreshBtn),
      certInfo,
      signBtn,
      waitingEl,
      resultEl));

  function renderStatic() {
    headings.list.textContent = t('sign.list');
    headings.addAs.textContent = t('common.addAs');
    headings.drop.textContent = t('common.dropHint');
    headings.cert.textContent = t('sign.cert');
    addBtn.textContent = t('common.addFiles');
    const roleValue = addRole.value || 'sign';
    clear(addRole);
    for (const r of ['sign', 'seal', 'incoming']) addRole.append(h('option', { value: r, text: t('role.' + r) }));
    addRole.value = roleValue;
    signBtn.textContent = t('sign.button');
    refreshBtn.textContent = t('common.refresh');
    pane.setLabel(t(s.result ? 'sign.stampSigned' : 'sign.stampLabel'));
  }

  function renderList() {
    clear(listEl);
    if (!s.docs.length) {
      listEl.append(h('li', { class: 'empty muted', text: t('sign.empty') }));
      return;
    }
    for (const d of s.docs) {
      const item = h('li', {
        class: 'doc-item' + (s.selected && s.selected.id === d.id ? ' selected' : ''),
        testid: 'doc-item', dataset: { id: d.id, status: d.status },
        tabindex: '0', role: 'button',
        onclick: () => select(d.id),
        onkeydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(d.id); } },
      },
      h('span', { class: 'doc-title', text: docLabel(d) }),
      h('span', { class: `status status-${d.status}`, text: statusLabel(d.status) }),
      h('span', { class: 'doc-file muted small', text: fileName(d.currentPath || d.sourcePath) }));
      listEl.append(item);
    }
  }

  /** The line under the page: how the place was found, or why there is no preview. */
  function renderNote() {
    const p = s.placement;
    if (s.result) {
      const r = s.result.placement;
      pane.setNote(r && r.boxMm ? t('sign.signedHere', { n: r.page }) : '', 'signed');
      return;
    }
    if (!s.selected) { pane.setNote(''); return; }
    if (s.selected.status !== 'pending') { pane.setNote(t('sign.alreadySigned'), ''); return; }
    if (!chosenCert(certSelect, s.certs)) { pane.setNote(t('sign.chooseCertForPreview'), ''); return; }
    if (!p) { pane.setNote(t('common.loading'), ''); return; }
    let note = t('sign.placement.' + p.placement) || '';
    if (p.boxMm && pane.page !== p.page) note += ' ' + t('sign.stampOnPage', { n: p.page });
    pane.setNote(note, p.placement);
  }

  function renderCerts() {
    s.certs = fillCertSelect(certSelect, s.tokens, 'personal');
    clear(certInfo).append(certSummary(chosenCert(certSelect, s.certs), 'sign.wrongRole', 'personal'));
    waitingEl.hidden = !s.waiting;
    waitingEl.textContent = t('pin.waiting');
    signBtn.disabled = s.busy || !s.selected || s.selected.status !== 'pending' || !chosenCert(certSelect, s.certs);
  }

  function renderResult() {
    clear(resultEl);
    if (!s.result) { resultEl.hidden = true; pane.setCaption(); return; }
    const { doc, report } = s.result;
    resultEl.hidden = false;
    resultEl.append(
      h('p', { class: 'ok-text', text: t('sign.result', { file: fileName(doc.currentPath) }) }),
      h('p', { text: t('sign.resultVerdict') }),
      verdictBadge(report, 'sign-result-verdict'),
      h('p', { class: 'reason', text: reasonOf(report) }));
    // The signed file itself is on the page; its verdict beside it.
    pane.setCaption(
      h('span', { class: 'caption-file', text: t('sign.showingSigned', { file: fileName(doc.currentPath) }) }),
      verdictBadge(report, 'view-verdict'));
  }

  function render() {
    renderStatic();
    renderList();
    renderCerts();
    renderResult();
    renderNote();
    pane.render();
  }

  async function refreshCerts(force) {
    try {
      s.tokens = await loadTokens(force);
    } catch (e) {
      s.tokens = [];
      showError(e);
    }
    renderCerts();
    // The preview needs the certificate: draw it as soon as one is chosen.
    if (s.selected && !s.placement && !s.result) await refreshPreview({ jump: true });
    else renderNote();
  }

  async function refreshList() {
    try {
      s.docs = await call('list_documents', { role: 'sign' });
    } catch (e) { showError(e); }
    if (s.selected) s.selected = s.docs.find((d) => d.id === s.selected.id) || s.selected;
    renderList();
  }

  /**
   * Ask the core where the signature goes with the chosen certificate and image (the
   * plan the signature itself will use), and show the document with it drawn there.
   * `jump`: show the stamp's page.
   */
  async function refreshPreview({ jump = false } = {}) {
    const doc = s.selected;
    const c = chosenCert(certSelect, s.certs);
    if (!doc || doc.status !== 'pending' || !c || s.result) { renderNote(); return; }
    const seq = ++s.previewSeq;
    const request = { id: doc.id, role: 'sign', tokenLabel: c.tokenLabel, certIdHex: c.certIdHex };
    if (s.place) { request.atMm = s.place.atMm; request.page = s.place.page; request.sizeMm = s.place.sizeMm; }
    try {
      const placement = await call('preview_placement', { request });
      if (seq !== s.previewSeq) return;
      s.placement = placement;
      renderNote();
      let bytes = null;
      try {
        bytes = await call('preview_pdf', { request });
      } catch (e) {
        showError(e); // the box is still right; the draft stays on screen
      }
      if (seq !== s.previewSeq) return;
      const page = jump || s.place ? placement.page : pane.page;
      if (bytes) await pane.show(bytes, { source: 'preview', page });
      else if (page !== pane.page) await pane.gotoPage(page);
      if (seq !== s.previewSeq) return;
      pane.setPlacement(placement, { draggable: true, tag: `${c.tokenLabel}|${c.certIdHex}` });
      renderNote();
    } catch (e) {
      if (seq === s.previewSeq) showError(e);
    }
  }

  async function select(id) {
    const doc = s.docs.find((d) => d.id === id);
    if (!doc) return;
    clearError();
    s.selected = doc;
    s.result = null;
    s.place = null;
    s.placement = null;
    s.previewSeq++;
    pane.setPlacement(null);
    render();
    try {
      // The document as it is first; then, with a certificate, the stamp drawn in it.
      const bytes = await call('read_pdf', { id });
      if (!s.selected || s.selected.id !== id) return;
      await pane.show(bytes, { source: doc.status === 'pending' ? 'draft' : 'signed', page: 1 });
      await refreshPreview({ jump: true });
    } catch (e) {
      showError(e);
    }
    renderNote();
  }

  async function onCertChange() {
    renderCerts();
    if (!s.selected) return;
    await refreshPreview({ jump: true });
  }

  async function sign() {
    const c = chosenCert(certSelect, s.certs);
    if (!s.selected || !c || s.busy) return;
    clearError();
    s.busy = true;
    s.waiting = true;
    renderCerts();
    // The PIN and the summary of what is signed are asked in the separate PIN
    // window (the shell opens it); this page never sees the PIN.
    const request = { id: s.selected.id, tokenLabel: c.tokenLabel, certIdHex: c.certIdHex };
    if (s.place) { request.atMm = s.place.atMm; request.page = s.place.page; request.sizeMm = s.place.sizeMm; }
    try {
      let out;
      try {
        out = await call('sign_document', { request });
      } catch (e) {
        // The block names someone else: ask, naming both; sign only if confirmed.
        const q = nameMismatchQuestion(e);
        if (!q) throw e;
        s.waiting = false;
        renderCerts();
        if (!(await confirmDialog(q))) return;
        s.waiting = true;
        renderCerts();
        out = await call('sign_document', { request: { ...request, allowNameMismatch: true } });
      }
      clearError();
      s.previewSeq++;
      s.result = out;
      s.placement = null;
      s.selected = out.doc;
      s.busy = false;
      s.waiting = false;
      render();
      await refreshList();
      // The signed file itself, on the stamp's page, with the box the signature got.
      const bytes = await call('read_pdf', { id: out.doc.id });
      const page = (out.placement && out.placement.page) || pane.page;
      await pane.show(bytes, { source: 'signed', page });
      pane.setPlacement(out.placement && out.placement.boxMm ? out.placement : null, { draggable: false, tag: `${c.tokenLabel}|${c.certIdHex}` });
      renderNote();
    } catch (e) {
      if (!e || e.kind !== 'cancelled') showError(e);
    } finally {
      s.busy = false;
      s.waiting = false;
      renderCerts();
    }
  }

  return {
    el,
    render,
    async show() {
      render();
      await Promise.all([refreshList(), refreshCerts(false)]);
    },
    select,
    refreshList,
  };
}
