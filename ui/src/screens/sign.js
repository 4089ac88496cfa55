// Ký: view the draft, place the stamp, choose the certificate, enter the PIN, sign.
import { call } from '../api.js';
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { showError, clearError } from '../notify.js';
import { errorText, fileName, reasonOf, statusLabel } from '../format.js';
import { createStampOverlay } from '../stamp-overlay.js';
import { loadTokens, fillCertSelect, chosenCert, certSummary, verdictBadge, docLabel } from '../widgets.js';

export function createSignScreen(ctx) {
  const s = {
    docs: [], selected: null, pdf: null, pageCount: 0, page: 1, viewport: null,
    placement: null, atMm: null, stampPage: null, certs: [], tokens: [], result: null, seq: 0, busy: false, waiting: false,
  };

  const listEl = h('ul', { class: 'doc-list', testid: 'doc-list' });
  const canvas = h('canvas', { class: 'pdf-canvas' });
  const overlay = createStampOverlay({ onMove: (at) => movePlacement(at, s.page) });
  const pageBox = h('div', { class: 'pdf-page' }, canvas, overlay.el);
  const viewEl = h('div', { class: 'pdf-view', testid: 'pdf-view' }, pageBox);
  const placeholder = h('p', { class: 'muted placeholder' });
  const pageLabel = h('span', { class: 'page-label' });
  const prevBtn = h('button', { type: 'button', class: 'btn', onclick: () => gotoPage(s.page - 1) });
  const nextBtn = h('button', { type: 'button', class: 'btn', onclick: () => gotoPage(s.page + 1) });
  const hereBtn = h('button', { type: 'button', class: 'btn', onclick: stampHere });
  const placementNote = h('p', { class: 'note' });
  const certSelect = h('select', { class: 'cert-select', testid: 'cert-select', onchange: onCertChange });
  const certInfo = h('div');
  const signBtn = h('button', { type: 'button', class: 'btn btn-primary btn-large', testid: 'sign-button', onclick: sign });
  const refreshBtn = h('button', { type: 'button', class: 'btn', onclick: () => refreshCerts(true) });
  const resultEl = h('div', { class: 'result', testid: 'sign-result', hidden: true });
  const waitingEl = h('p', { class: 'note', testid: 'pin-waiting', hidden: true });
  const addRole = h('select', { class: 'role-select' });
  const addBtn = h('button', { type: 'button', class: 'btn', onclick: () => ctx.pickAndAdd(addRole.value) });
  const headings = {};

  const el = h('section', { class: 'screen screen-sign' },
    h('div', { class: 'col col-list' },
      headings.list = h('h2'),
      h('div', { class: 'add-row' }, addBtn, headings.addAs = h('label', { class: 'inline' }), addRole),
      headings.drop = h('p', { class: 'muted small' }),
      listEl),
    h('div', { class: 'col col-view' },
      h('div', { class: 'pager' }, prevBtn, pageLabel, nextBtn, hereBtn),
      placeholder, viewEl, placementNote),
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
    prevBtn.textContent = t('sign.prevPage');
    nextBtn.textContent = t('sign.nextPage');
    hereBtn.textContent = t('sign.stampHere');
    signBtn.textContent = t('sign.button');
    refreshBtn.textContent = t('common.refresh');
    overlay.setLabel(t('sign.stampLabel'));
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

  function renderPager() {
    const has = !!s.pdf;
    viewEl.hidden = !has;
    placeholder.hidden = has;
    placeholder.textContent = t('sign.chooseDoc');
    pageLabel.textContent = has ? t('sign.page', { n: s.page, total: s.pageCount }) : '';
    prevBtn.disabled = !has || s.page <= 1;
    nextBtn.disabled = !has || s.page >= s.pageCount;
    const p = s.placement;
    hereBtn.hidden = !has || !p || !p.boxMm || s.page === p.page;
    let note = '';
    if (p) {
      note = t('sign.placement.' + p.placement) || '';
      if (p.boxMm && s.page !== p.page) note += ' ' + t('sign.stampOnPage', { n: p.page });
    }
    placementNote.textContent = note;
  }

  function renderOverlay() {
    const p = s.placement;
    if (p && p.boxMm && s.viewport && s.page === p.page) {
      overlay.update({ boxMm: p.boxMm, pageSizeMm: p.pageSizeMm, viewport: s.viewport });
    } else overlay.update({ boxMm: null });
  }

  function renderCerts() {
    s.certs = fillCertSelect(certSelect, s.tokens, 'personal');
    clear(certInfo).append(certSummary(chosenCert(certSelect, s.certs), 'sign.wrongRole', 'personal'));
    waitingEl.hidden = !s.waiting;
    waitingEl.textContent = t('pin.waiting');
    signBtn.disabled = s.busy || !s.selected || !chosenCert(certSelect, s.certs);
  }

  function renderResult() {
    clear(resultEl);
    if (!s.result) { resultEl.hidden = true; return; }
    const { doc, report } = s.result;
    resultEl.hidden = false;
    resultEl.append(
      h('p', { class: 'ok-text', text: t('sign.result', { file: fileName(doc.currentPath) }) }),
      h('p', { text: t('sign.resultVerdict') }),
      verdictBadge(report, 'sign-result-verdict'),
      h('p', { class: 'reason', text: reasonOf(report) }));
  }

  function render() {
    renderStatic();
    renderList();
    renderPager();
    renderOverlay();
    renderCerts();
    renderResult();
  }

  async function refreshCerts(force) {
    try {
      s.tokens = await loadTokens(force);
    } catch (e) {
      s.tokens = [];
      showError(e);
    }
    renderCerts();
  }

  async function refreshList() {
    try {
      s.docs = await call('list_documents', { role: 'sign' });
    } catch (e) { showError(e); }
    if (s.selected) s.selected = s.docs.find((d) => d.id === s.selected.id) || s.selected;
    renderList();
  }

  async function drawPage() {
    if (!s.pdf) return;
    const seq = ++s.seq;
    viewEl.hidden = false;
    placeholder.hidden = true;
    const { renderPage } = await import('../pdf-render.js');
    const width = Math.max(320, (viewEl.clientWidth || 700) - 44);
    const vp = await renderPage(s.pdf, s.page, canvas, width);
    if (!vp || seq !== s.seq) return; // cancelled by a newer draw
    s.viewport = vp;
    pageBox.style.width = `${Math.floor(vp.width)}px`;
    pageBox.style.height = `${Math.floor(vp.height)}px`;
    renderPager();
    renderOverlay();
  }

  function certArgs() {
    const c = chosenCert(certSelect, s.certs);
    return c && c.cert.commonName ? { signerName: c.cert.commonName } : {};
  }

  async function preview(extra = {}) {
    if (!s.selected) return;
    const request = { id: s.selected.id, role: 'sign', ...certArgs(), ...extra };
    if (s.atMm && !extra.atMm) { request.atMm = s.atMm; request.page = s.stampPage; }
    s.placement = await call('preview_placement', { request });
  }

  async function select(id) {
    const doc = s.docs.find((d) => d.id === id);
    if (!doc) return;
    clearError();
    s.selected = doc;
    s.result = null;
    s.atMm = null;
    s.stampPage = null;
    s.placement = null;
    renderList();
    renderResult();
    renderCerts();
    try {
      if (s.pdf) { s.pdf.destroy(); s.pdf = null; }
      const bytes = await call('read_pdf', { id });
      const { openPdf } = await import('../pdf-render.js');
      const pdf = await openPdf(bytes);
      if (!s.selected || s.selected.id !== id) { pdf.destroy(); return; }
      s.pdf = pdf;
      s.pageCount = pdf.numPages;
      await preview();
      s.page = Math.min(Math.max(1, (s.placement && s.placement.page) || pdf.numPages), pdf.numPages);
      await drawPage();
    } catch (e) {
      showError(e);
    }
    renderPager();
  }

  async function gotoPage(n) {
    if (!s.pdf || n < 1 || n > s.pageCount) return;
    s.page = n;
    renderPager();
    try { await drawPage(); } catch (e) { showError(e); }
  }

  async function movePlacement(atMm, page) {
    s.atMm = atMm;
    s.stampPage = page;
    try {
      await preview({ atMm, page });
    } catch (e) { showError(e); }
    renderPager();
    renderOverlay();
  }

  function stampHere() {
    const p = s.placement;
    if (!p || !p.boxMm) return;
    movePlacement([p.boxMm[0], p.boxMm[1]], s.page);
  }

  async function onCertChange() {
    renderCerts();
    if (!s.selected) return;
    try {
      await preview();
      // Show the page where the stamp will go (the signer's block is often on the last page).
      const p = s.placement;
      if (s.pdf && p && p.boxMm && !s.atMm && p.page !== s.page) {
        s.page = p.page;
        await drawPage();
      }
    } catch (e) { showError(e); }
    renderPager();
    renderOverlay();
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
    if (s.atMm) { request.atMm = s.atMm; request.page = s.stampPage; }
    try {
      const out = await call('sign_document', { request });
      clearError();
      s.result = out;
      renderResult();
      await refreshList();
      s.selected = out.doc;
      const bytes = await call('read_pdf', { id: out.doc.id });
      const { openPdf } = await import('../pdf-render.js');
      if (s.pdf) s.pdf.destroy();
      s.pdf = await openPdf(bytes);
      s.pageCount = s.pdf.numPages;
      s.placement = null;
      await drawPage();
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
