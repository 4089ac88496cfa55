// Văn thư: check existing signatures (R9), number + date + seal in a batch with one
// PIN (R8), progress and cancel, per-document result, then release.
import { call, on } from '../api.js';
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { showError, clearError } from '../notify.js';
import { errorText, fileName, reasonOf, statusLabel, todayVN, hasInvalidSignature, formatDate, parseDateVN } from '../format.js';
import { normaliseNumber, batchProblems, isValidNumber, isValidDate } from '../validate.js';
import { createPreviewPane } from '../preview-pane.js';
import { initBatch, batchReducer, batchCounts, batchPercent, batchLines } from '../batch.js';
import { loadTokens, fillCertSelect, chosenCert, certSummary, verdictBadge, signatureList, docLabel, dateField } from '../widgets.js';

const SEALABLE = new Set(['pending', 'signed', 'valid', 'indeterminate', 'invalid']);

/** The clerk's list: role `seal` documents, plus role `sign` documents a leader has
 * signed (not drafts still waiting for the leader), newest first. */
export function clerkDocs(seal, sign) {
  const handedOn = sign.filter((d) => d.status !== 'pending');
  return [...seal, ...handedOn].sort((a, b) => (b.updatedAt || '').localeCompare(a.updatedAt || '') || b.id - a.id);
}

export function createClerkScreen(ctx) {
  const s = {
    docs: [], checks: new Map(), inputs: new Map(), selected: new Set(),
    tokens: [], certs: [], batch: null, busy: false, notice: '', problems: new Map(), verifying: false,
    // The preview: which document, the seal places the clerk dragged, where seals went.
    current: null, places: new Map(), sealed: new Map(), placement: null, previewSeq: 0, previewTimer: null,
  };

  const listEl = h('ul', { class: 'clerk-list', testid: 'clerk-list' });
  const doneEl = h('ul', { class: 'clerk-list clerk-done', testid: 'sealed-list' });
  const certSelect = h('select', { class: 'cert-select', testid: 'clerk-cert-select', onchange: () => { renderSide(); refreshPreview({ jump: true }); } });
  const pane = createPreviewPane({
    testid: 'clerk-view', stampHereKey: 'clerk.sealHere', emptyKey: 'clerk.choosePreview',
    onMove: (place) => { if (s.current != null) { s.places.set(s.current, place); refreshPreview(); } },
  });
  const viewTitle = h('h3', { class: 'view-title', testid: 'clerk-view-title' });
  const certInfo = h('div');
  const sealBtn = h('button', { type: 'button', class: 'btn btn-primary btn-large', testid: 'seal-button', onclick: seal });
  const refreshBtn = h('button', { type: 'button', class: 'btn', onclick: () => refreshCerts(true) });
  const progressBar = h('div', { class: 'bar-fill' });
  const progressText = h('span', { class: 'bar-text' });
  const progressEl = h('div', { class: 'progress', testid: 'batch-progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', hidden: true },
    h('div', { class: 'bar' }, progressBar), progressText);
  const cancelBtn = h('button', { type: 'button', class: 'btn btn-danger', testid: 'cancel-batch', hidden: true, onclick: cancel });
  const resultEl = h('ul', { class: 'batch-result', testid: 'batch-result', hidden: true });
  const noticeEl = h('p', { class: 'notice', hidden: true });
  const selectAll = h('input', { type: 'checkbox', onchange: () => toggleAll(selectAll.checked) });
  const addBtn = h('button', { type: 'button', class: 'btn', onclick: () => ctx.pickAndAdd('seal') });
  const hd = {};

  const el = h('section', { class: 'screen screen-clerk' },
    h('div', { class: 'col col-main' },
      hd.title = h('h2'),
      h('div', { class: 'add-row' }, addBtn, h('label', { class: 'inline' }, selectAll, hd.selectAll = h('span'))),
      listEl,
      hd.sealed = h('h3'),
      doneEl),
    h('div', { class: 'col col-view', testid: 'clerk-view-col' }, viewTitle, pane.el),
    h('div', { class: 'col col-side' },
      hd.cert = h('label', { class: 'field-label' }),
      h('div', { class: 'row' }, certSelect, refreshBtn),
      certInfo,
      sealBtn,
      progressEl,
      cancelBtn,
      noticeEl,
      resultEl));

  const inputsOf = (d) => {
    if (!s.inputs.has(d.id)) s.inputs.set(d.id, { docNumber: d.docNumber || '', docDate: d.docDate || todayVN() });
    return s.inputs.get(d.id);
  };
  const toSeal = () => s.docs.filter((d) => SEALABLE.has(d.status));
  const sealedOrReleased = () => s.docs.filter((d) => d.status === 'sealed' || d.status === 'released');

  function signaturesBlock(d) {
    const c = s.checks.get(d.id);
    if (!c || c.checking) return h('p', { class: 'muted small', text: c ? t('clerk.checking') : '' });
    if (c.error) return h('p', { class: 'error-text', text: errorText(c.error) });
    const sigs = (c.report && c.report.signatures) || [];
    return h('div', { class: 'sigs' },
      h('div', { class: 'small muted', text: t('clerk.signatures') }),
      sigs.length ? signatureList(c.report, { badgeTestId: 'sig-verdict' }) : h('p', { class: 'muted small', text: t('clerk.noSignatures') }),
      hasInvalidSignature(c.report) ? h('p', { class: 'error-text refused', text: t('clerk.refused') }) : null);
  }

  function renderRow(d) {
    const inp = inputsOf(d);
    const check = h('input', {
      type: 'checkbox', testid: 'clerk-check', checked: s.selected.has(d.id), disabled: s.busy,
      'aria-label': docLabel(d),
      onchange: () => {
        if (check.checked) { s.selected.add(d.id); setCurrent(d.id); } else s.selected.delete(d.id);
        renderSide();
      },
    });
    const num = h('input', {
      type: 'text', class: 'num-input', testid: 'doc-number-input', value: inp.docNumber, placeholder: '12/QĐ-UBND',
      autocomplete: 'off', spellcheck: 'false', disabled: s.busy,
      oninput: () => { inp.docNumber = num.value; inputChanged(d.id); },
      onblur: () => { inp.docNumber = normaliseNumber(num.value); num.value = inp.docNumber; inputChanged(d.id, 0); },
    });
    // Day/month/year whatever the web engine's locale (a type=date field shows the
    // engine's format: 12/06/2026 for 6 December under the C locale).
    const date = dateField({
      testid: 'doc-date-input', iso: inp.docDate, disabled: s.busy,
      onChange: (iso, text) => { inp.docDate = iso || text.trim(); inputChanged(d.id); },
    });
    const problems = s.problems.get(d.id) || [];
    const sigBox = h('div', { class: 'sig-box' }, signaturesBlock(d));
    rowSigs.set(d.id, { sigBox, doc: d });
    return h('li', { class: 'clerk-item card' + (s.current === d.id ? ' current' : ''), testid: 'clerk-item', dataset: { id: d.id, status: d.status } },
      h('div', { class: 'row head' },
        check,
        h('span', { class: 'doc-title', text: docLabel(d) }),
        h('span', { class: `status status-${d.status}`, text: statusLabel(d.status) }),
        h('button', { type: 'button', class: 'btn btn-small', testid: 'preview-button', 'aria-pressed': String(s.current === d.id), onclick: () => setCurrent(d.id), text: t('clerk.preview') }),
        h('button', { type: 'button', class: 'btn btn-small', disabled: s.busy, onclick: () => verify(d.id), text: t('clerk.check') })),
      h('div', { class: 'row fields' },
        h('label', { class: 'field' }, h('span', { text: t('clerk.number') }), num),
        h('label', { class: 'field' }, h('span', { text: t('clerk.date') }), date)),
      problems.map((m) => h('p', { class: 'error-text', text: m })),
      sigBox);
  }

  function renderDoneRow(d) {
    return h('li', { class: 'clerk-item card' + (s.current === d.id ? ' current' : ''), testid: 'clerk-item', dataset: { id: d.id, status: d.status } },
      h('div', { class: 'row head' },
        h('span', { class: 'doc-title', text: docLabel(d) }),
        d.docNumber ? h('span', { class: 'muted', text: d.docNumber }) : null,
        d.docDate ? h('span', { class: 'muted', text: formatDate(d.docDate) }) : null,
        h('button', { type: 'button', class: 'btn btn-small', testid: 'preview-button', 'aria-pressed': String(s.current === d.id), onclick: () => setCurrent(d.id), text: t('clerk.show') }),
        h('span', { class: `status status-${d.status}`, text: statusLabel(d.status) }),
        d.status === 'sealed'
          ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'release-button', disabled: s.busy, onclick: () => release(d.id), text: t('clerk.release') })
          : null),
      h('div', { class: 'small muted', text: fileName(d.currentPath) }));
  }

  const rowSigs = new Map();

  /** Refresh one row's signatures only (keeps focus in the inputs being typed in). */
  function updateSigs(id) {
    const r = rowSigs.get(id);
    if (!r || !r.sigBox.isConnected) { renderLists(); return; }
    const d = s.docs.find((x) => x.id === id) || r.doc;
    const li = r.sigBox.closest('li');
    if (li && d.status !== li.dataset.status) { renderLists(); return; }
    clear(r.sigBox).append(signaturesBlock(d));
  }

  function renderLists() {
    rowSigs.clear();
    clear(listEl);
    const rows = toSeal();
    if (!rows.length) listEl.append(h('li', { class: 'empty muted', text: t('clerk.empty') }));
    for (const d of rows) listEl.append(renderRow(d));
    clear(doneEl);
    for (const d of sealedOrReleased()) doneEl.append(renderDoneRow(d));
    hd.sealed.hidden = !sealedOrReleased().length;
  }

  function renderBatch() {
    const b = s.batch;
    progressEl.hidden = !b;
    cancelBtn.hidden = !b || b.finished;
    cancelBtn.disabled = !!(b && b.cancelRequested);
    resultEl.hidden = !b;
    clear(resultEl);
    if (!b) return;
    const pct = batchPercent(b);
    const c = batchCounts(b);
    progressBar.style.width = `${pct}%`;
    progressEl.setAttribute('aria-valuenow', String(pct));
    progressEl.dataset.done = String(c.done);
    progressEl.dataset.total = String(b.total);
    progressText.textContent = `${t('clerk.progress', { done: c.done + c.failed, total: b.total })} (${pct}%)`;
    for (const line of batchLines(b)) {
      const it = b.items[line.id];
      const d = s.docs.find((x) => x.id === line.id) || (it.doc) || { id: line.id };
      resultEl.append(h('li', { class: `batch-item state-${line.state}`, testid: 'batch-item', dataset: { id: line.id, state: line.state } },
        h('span', { class: 'doc-title', text: docLabel(d) }), ' — ',
        h('strong', { text: line.label }),
        line.message ? h('span', { class: 'batch-msg', text: `: ${line.message}` }) : null));
    }
    if (b.finished) {
      resultEl.append(h('li', { class: 'batch-summary', text: t('batch.summary', { done: c.done, failed: c.failed, pending: c.pending }) }));
    }
  }

  function renderSide() {
    clear(certInfo).append(certSummary(chosenCert(certSelect, s.certs), 'clerk.wrongRole', 'agency'));
    sealBtn.disabled = s.busy || !chosenCert(certSelect, s.certs);
    noticeEl.hidden = !s.notice;
    noticeEl.textContent = s.notice;
  }

  function render() {
    hd.title.textContent = t('clerk.title');
    hd.selectAll.textContent = t('clerk.selectAll');
    hd.sealed.textContent = t('clerk.sealedList');
    hd.cert.textContent = t('clerk.cert');
    addBtn.textContent = t('common.addFiles');
    sealBtn.textContent = t('clerk.seal');
    refreshBtn.textContent = t('common.refresh');
    cancelBtn.textContent = t('clerk.cancel');
    s.certs = fillCertSelect(certSelect, s.tokens, 'agency');
    renderLists();
    renderBatch();
    renderSide();
    renderPreviewText();
    pane.render();
  }

  function toggleAll(on) {
    s.selected = new Set(on ? toSeal().map((d) => d.id) : []);
    renderLists();
    renderSide();
    if (on && s.current == null && s.selected.size) setCurrent([...s.selected][0]);
  }

  async function refreshCerts(force) {
    try { s.tokens = await loadTokens(force); } catch (e) { s.tokens = []; showError(e); }
    s.certs = fillCertSelect(certSelect, s.tokens, 'agency');
    renderSide();
    if (s.current != null && !s.placement) await refreshPreview({ jump: true });
  }

  async function refreshList() {
    try {
      // Documents to seal: those added for sealing, and drafts a leader signed on this
      // machine (role sign, from status signed on) — they go on to the clerk as they are.
      const [seal, sign] = await Promise.all([
        call('list_documents', { role: 'seal' }),
        call('list_documents', { role: 'sign' }),
      ]);
      s.docs = clerkDocs(seal, sign);
    } catch (e) { showError(e); }
    const ids = new Set(toSeal().map((d) => d.id));
    for (const id of [...s.selected]) if (!ids.has(id)) s.selected.delete(id);
    if (s.current != null && !s.docs.some((d) => d.id === s.current)) s.current = null;
    renderLists();
  }

  async function verify(id) {
    s.checks.set(id, { checking: true });
    updateSigs(id);
    try {
      const { doc, report } = await call('verify_document', { id });
      s.checks.set(id, { report, sha256: doc && doc.sha256 });
      const i = s.docs.findIndex((d) => d.id === id);
      if (i >= 0 && doc) s.docs[i] = { ...s.docs[i], ...doc };
    } catch (e) {
      s.checks.set(id, { error: e });
    }
    updateSigs(id);
  }

  /** Check every document not yet checked (or changed since), one after another. */
  async function verifyAll() {
    if (s.verifying) return;
    s.verifying = true;
    try {
      for (const d of toSeal()) {
        const c = s.checks.get(d.id);
        if (c && !c.error && (c.checking || c.sha256 === d.sha256)) continue;
        await verify(d.id);
      }
    } finally { s.verifying = false; }
  }

  async function seal() {
    if (s.busy) return;
    clearError();
    s.notice = '';
    const c = chosenCert(certSelect, s.certs);
    const chosen = toSeal().filter((d) => s.selected.has(d.id));
    if (!chosen.length) { showError(t('clerk.noneSelected')); return; }
    if (!c) { showError(t('common.noCert')); return; }
    const rows = chosen.map((d) => { const i = inputsOf(d); return { id: d.id, docNumber: normaliseNumber(i.docNumber), docDate: i.docDate }; });
    // Each document at its own place: where the clerk dragged its seal in the preview.
    const placeOf = (id) => {
      const p = s.places.get(id);
      return p ? { atMm: p.atMm, page: p.page, sizeMm: p.sizeMm } : {};
    };
    const problems = batchProblems(rows);
    s.problems = new Map();
    for (const p of problems) s.problems.set(p.id, [...(s.problems.get(p.id) || []), p.message]);
    if (problems.length) { renderLists(); showError(problems[0].message); return; }

    // R9: never send a document whose signatures were found invalid.
    const refused = rows.filter((r) => hasInvalidSignature((s.checks.get(r.id) || {}).report));
    const items = rows.filter((r) => !refused.includes(r)).map((r) => ({ id: r.id, docNumber: r.docNumber || undefined, docDate: r.docDate || undefined, ...placeOf(r.id) }));
    const refusedResults = refused.map((r) => {
      const rep = s.checks.get(r.id).report;
      const bad = rep.signatures.find((x) => x.indication === 'TOTAL_FAILED');
      const why = reasonOf(bad) || reasonOf(rep);
      return { id: r.id, state: 'failed', doc: null, error: { kind: 'seal_refused', vi: `${t('clerk.refused', {}, 'vi')} ${reasonOf(bad, 'vi')}`.trim(), en: `${t('clerk.refused', {}, 'en')} ${reasonOf(bad, 'en')}`.trim(), pinTries: null, detail: why } };
    });

    s.batch = initBatch(rows.map((r) => r.id));
    if (!items.length) {
      s.batch = batchReducer(s.batch, { type: 'results', results: refusedResults });
      renderBatch();
      return;
    }
    s.busy = true;
    render();
    // The PIN and the list of what is sealed are asked in the separate PIN window.
    const unlisten = await on('batch-progress', (p) => { if (s.batch) { s.batch = batchReducer(s.batch, { type: 'progress', payload: p }); renderBatch(); } });
    try {
      const out = await call('seal_batch', { items, choice: { tokenLabel: c.tokenLabel, certIdHex: c.certIdHex } });
      s.batch = batchReducer(s.batch, { type: 'results', results: [...refusedResults, ...((out && out.results) || [])] });
      s.selected = new Set();
      const done = ((out && out.results) || []).filter((r) => r.state === 'done');
      for (const r of done) { s.sealed.set(r.id, r.placement || null); s.places.delete(r.id); }
      // The first sealed file itself is shown, on the seal's page, with its verdict.
      if (done.length) s.current = done[0].id;
    } catch (e) {
      s.batch = e && e.kind === 'cancelled' ? null : batchReducer(s.batch, { type: 'error', error: e });
      if (!e || e.kind !== 'cancelled') showError(e);
    } finally {
      unlisten();
      s.busy = false;
      await refreshList();
      render();
      await refreshPreview({ jump: true });
    }
  }

  const currentDoc = () => (s.current == null ? null : s.docs.find((d) => d.id === s.current) || null);

  /** Preview document `id` (the row's "Xem trước" button, or a row just ticked). */
  function setCurrent(id) {
    if (s.current === id) return;
    s.current = id;
    s.placement = null;
    pane.setPlacement(null);
    for (const li of [...listEl.children, ...doneEl.children]) {
      const on = Number(li.dataset.id) === id;
      li.classList.toggle('current', on);
      const b = li.querySelector('[data-testid="preview-button"]');
      if (b) b.setAttribute('aria-pressed', String(on));
    }
    refreshPreview({ jump: true });
  }

  /** A number or date typed in row `id`: its preview follows (after a pause in typing). */
  function inputChanged(id, delay = 400) {
    if (id !== s.current) return;
    clearTimeout(s.previewTimer);
    s.previewTimer = setTimeout(() => refreshPreview(), delay);
  }

  function renderPreviewText() {
    const d = currentDoc();
    viewTitle.textContent = d ? docLabel(d) : t('clerk.previewTitle');
    const sealed = d && s.sealed.get(d.id);
    if (!d) { pane.setNote(''); pane.setCaption(); return; }
    if (!SEALABLE.has(d.status)) {
      pane.setNote(sealed && sealed.boxMm ? t('clerk.sealedHere', { n: sealed.page }) : '', 'signed');
      return;
    }
    pane.setCaption();
    if (!chosenCert(certSelect, s.certs)) { pane.setNote(t('clerk.chooseCertForPreview')); return; }
    const p = s.placement;
    if (!p) { pane.setNote(t('common.loading')); return; }
    const lines = [t('clerk.placement.' + p.placement, { n: p.page }) || ''];
    const inp = inputsOf(d);
    const filled = (p.filled || []).map(([text]) => text);
    if (filled.length) lines.push(t('clerk.filledPreview', { items: filled.join(' · ') }));
    else if (normaliseNumber(inp.docNumber) || inp.docDate) lines.push(t('clerk.noBlanks'));
    pane.setNote(lines.join(' '), p.placement);
  }

  /**
   * Show the current document: before sealing, with the seal, the number and the
   * date drawn where the core will put them (the batch's own plan, with the chosen
   * agency certificate and seal image); after sealing, the sealed file itself.
   */
  async function refreshPreview({ jump = false } = {}) {
    clearTimeout(s.previewTimer);
    const d = currentDoc();
    const seq = ++s.previewSeq;
    renderPreviewText();
    if (!d) { pane.reset(); return; }
    const c = chosenCert(certSelect, s.certs);
    try {
      if (!SEALABLE.has(d.status) || !c) {
        // Sealed (or no certificate to plan with): the file as it is.
        const bytes = await call('read_pdf', { id: d.id });
        if (seq !== s.previewSeq) return;
        const sealed = s.sealed.get(d.id) || null;
        const shownPage = sealed ? sealed.page : (jump ? 1 : pane.page);
        await pane.show(bytes, { source: SEALABLE.has(d.status) ? 'draft' : 'signed', page: shownPage });
        if (seq !== s.previewSeq) return;
        pane.setPlacement(sealed && sealed.boxMm ? sealed : null, { draggable: false });
        renderPreviewText();
        if (!SEALABLE.has(d.status)) await showVerdict(d.id, seq);
        return;
      }
      const inp = inputsOf(d);
      const request = { id: d.id, role: 'seal', tokenLabel: c.tokenLabel, certIdHex: c.certIdHex };
      const number = normaliseNumber(inp.docNumber);
      if (number && isValidNumber(number)) request.docNumber = number;
      if (isValidDate(inp.docDate)) request.docDate = inp.docDate;
      const place = s.places.get(d.id);
      if (place) { request.atMm = place.atMm; request.page = place.page; request.sizeMm = place.sizeMm; }
      const placement = await call('preview_placement', { request });
      if (seq !== s.previewSeq) return;
      s.placement = placement;
      renderPreviewText();
      const bytes = await call('preview_pdf', { request });
      if (seq !== s.previewSeq) return;
      await pane.show(bytes, { source: 'preview', page: jump || place ? placement.page : pane.page });
      if (seq !== s.previewSeq) return;
      pane.setPlacement(placement, { draggable: true, tag: `${c.tokenLabel}|${c.certIdHex}` });
      renderPreviewText();
    } catch (e) {
      if (seq === s.previewSeq) showError(e);
    }
  }

  /** The verdict of a sealed file, beside it. */
  async function showVerdict(id, seq) {
    try {
      const { report } = await call('verify_document', { id });
      if (seq !== s.previewSeq) return;
      pane.setCaption(h('span', { class: 'caption-file', text: t('clerk.showingSealed') }), verdictBadge(report, 'view-verdict'),
        h('span', { class: 'small', text: reasonOf(report) }));
    } catch (e) {
      if (seq === s.previewSeq) pane.setCaption(h('span', { class: 'error-text', text: errorText(e) }));
    }
  }

  async function cancel() {
    if (!s.batch || s.batch.finished) return;
    s.batch = batchReducer(s.batch, { type: 'cancel-requested' });
    renderBatch();
    try { await call('cancel_batch'); } catch (e) { showError(e); }
  }

  async function release(id) {
    clearError();
    s.busy = true;
    renderLists();
    try {
      const doc = await call('release_document', { id });
      s.notice = t('clerk.released', { file: fileName(doc.currentPath) });
    } catch (e) { showError(e); }
    s.busy = false;
    await refreshList();
    renderSide();
  }

  return {
    el,
    render,
    async show() {
      render();
      await Promise.all([refreshList(), refreshCerts(false)]);
      verifyAll();
    },
    refreshList,
  };
}
