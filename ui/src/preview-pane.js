// One page of a PDF rendered by pdf.js, with the stamp's box over it and a pager.
// Used by Ký and Văn thư. What is drawn comes from the core: before signing, the
// document with the stamp drawn by the appearance streams the signature will carry
// (`preview_pdf`) and the stamp's box (`preview_placement`); after signing, the
// signed file itself with the box the signature got.
//
// For tests and screen readers the view says what it shows: `data-source` (`draft`,
// `preview`, `signed`), `data-page`, `data-ready="1"` once that page is drawn; the box
// has `data-box-mm="x,y,w,h"`, `data-page` and `data-placement`; the clerk's number
// and date blanks are `fill-box` elements with `data-text` and `data-box-mm`.
import { h, clear } from './dom.js';
import { t } from './i18n.js';
import { createStampOverlay } from './stamp-overlay.js';
import { mmToPx } from './geometry.js';

const MM_PER_PT = 25.4 / 72;

/**
 * @param {{ testid?: string, onMove?: (place: { atMm: [number, number], page: number, sizeMm: number }) => void,
 *           stampHereKey?: string, emptyKey?: string }} opts
 */
export function createPreviewPane({ testid = 'pdf-view', onMove, stampHereKey = 'sign.stampHere', emptyKey = 'sign.chooseDoc' } = {}) {
  const s = {
    pdf: null, source: null, page: 1, pageCount: 0, viewport: null, pageSizeMm: null,
    placement: null, draggable: false, gen: 0, drawing: 0,
  };

  const canvas = h('canvas', { class: 'pdf-canvas' });
  const overlay = createStampOverlay({ onMove: (at) => moved(at, s.page) });
  const fills = h('div', { class: 'fill-layer' });
  const pageBox = h('div', { class: 'pdf-page' }, canvas, fills, overlay.el);
  const viewEl = h('div', { class: 'pdf-view', testid, dataset: { ready: '0' } }, pageBox);
  const placeholder = h('p', { class: 'muted placeholder' });
  const pageLabel = h('span', { class: 'page-label' });
  const prevBtn = h('button', { type: 'button', class: 'btn', onclick: () => gotoPage(s.page - 1) });
  const nextBtn = h('button', { type: 'button', class: 'btn', onclick: () => gotoPage(s.page + 1) });
  const hereBtn = h('button', { type: 'button', class: 'btn', testid: 'stamp-here', onclick: stampHere });
  const captionEl = h('div', { class: 'view-caption', testid: 'view-caption', hidden: true });
  const noteEl = h('p', { class: 'note', testid: 'placement-note' });
  const el = h('div', { class: 'preview-pane' },
    h('div', { class: 'pager' }, prevBtn, pageLabel, nextBtn, hereBtn),
    captionEl, placeholder, viewEl, noteEl);

  function moved(atMm, page) {
    const p = s.placement;
    if (!onMove || !p || !p.boxMm) return;
    onMove({ atMm, page, sizeMm: p.boxMm[2] });
  }

  function stampHere() {
    const p = s.placement;
    if (!p || !p.boxMm) return;
    moved([p.boxMm[0], p.boxMm[1]], s.page);
  }

  function renderPager() {
    const has = !!s.pdf;
    viewEl.hidden = !has;
    placeholder.hidden = has;
    placeholder.textContent = t(emptyKey);
    pageLabel.textContent = has ? t('sign.page', { n: s.page, total: s.pageCount }) : '';
    prevBtn.textContent = t('sign.prevPage');
    nextBtn.textContent = t('sign.nextPage');
    hereBtn.textContent = t(stampHereKey);
    prevBtn.disabled = !has || s.page <= 1;
    nextBtn.disabled = !has || s.page >= s.pageCount;
    const p = s.placement;
    hereBtn.hidden = !has || !s.draggable || !p || !p.boxMm || s.page === p.page;
  }

  function pageSize() {
    const p = s.placement;
    return (p && p.pageSizeMm && p.page === s.page) ? p.pageSizeMm : s.pageSizeMm;
  }

  function renderOverlay() {
    const p = s.placement;
    const size = pageSize();
    overlay.setDraggable(s.draggable);
    if (p && p.boxMm && s.viewport && size && s.page === p.page) {
      overlay.update({ boxMm: p.boxMm, pageSizeMm: size, viewport: s.viewport });
      overlay.el.dataset.boxMm = p.boxMm.join(',');
      overlay.el.dataset.page = String(p.page);
      overlay.el.dataset.placement = p.placement || '';
    } else {
      overlay.update({ boxMm: null });
      delete overlay.el.dataset.boxMm;
    }
    clear(fills);
    // The clerk's number and date go on page 1 (R8).
    if (p && s.viewport && size && s.page === 1) {
      for (const [text, box] of p.filled || []) {
        const px = mmToPx(box, s.viewport, size);
        const fb = h('div', { class: 'fill-box', testid: 'fill-box', title: text, dataset: { text, boxMm: box.join(',') } });
        Object.assign(fb.style, { left: `${px.left}px`, top: `${px.top}px`, width: `${px.width}px`, height: `${px.height}px` });
        fills.append(fb);
      }
    }
  }

  function render() {
    renderPager();
    renderOverlay();
  }

  /** Draw the current page; the view is `ready` once it is on the canvas. */
  async function draw() {
    const pdf = s.pdf;
    if (!pdf) { render(); return; }
    const ticket = ++s.drawing;
    viewEl.dataset.ready = '0';
    viewEl.hidden = false;
    placeholder.hidden = true;
    const { renderPage } = await import('./pdf-render.js');
    const width = Math.max(320, (viewEl.clientWidth || 700) - 44);
    const vp = await renderPage(pdf, s.page, canvas, width);
    if (!vp || ticket !== s.drawing || pdf !== s.pdf) return; // a newer draw took over
    s.viewport = vp;
    s.pageSizeMm = [(vp.width / vp.scale) * MM_PER_PT, (vp.height / vp.scale) * MM_PER_PT];
    pageBox.style.width = `${Math.floor(vp.width)}px`;
    pageBox.style.height = `${Math.floor(vp.height)}px`;
    viewEl.dataset.source = s.source || '';
    viewEl.dataset.page = String(s.page);
    viewEl.dataset.pageSizeMm = s.pageSizeMm.map((v) => v.toFixed(2)).join(',');
    viewEl.dataset.ready = '1';
    render();
  }

  /**
   * Show `bytes` (a PDF) as `source`, at `page` (default: the page shown). A newer
   * call wins: an older one that finishes later is dropped. Resolves to whether
   * this one is shown.
   */
  async function show(bytes, { source, page } = {}) {
    const gen = ++s.gen;
    const { openPdf } = await import('./pdf-render.js');
    const pdf = await openPdf(bytes);
    if (gen !== s.gen) { pdf.destroy(); return false; }
    const old = s.pdf;
    s.pdf = pdf;
    s.source = source;
    s.pageCount = pdf.numPages;
    s.page = Math.min(Math.max(1, page || s.page || 1), pdf.numPages);
    try {
      await draw();
    } finally {
      // The old document goes once the new one is on the canvas (never mid-render).
      if (old && old !== s.pdf) old.destroy();
    }
    return gen === s.gen;
  }

  /**
   * The stamp's box (a `Preview` or a `StampPlacement`), draggable or not; `tag` says
   * what it was planned for (the box's `data-for`: token|certificate).
   */
  function setPlacement(placement, { draggable = false, tag = '' } = {}) {
    s.placement = placement || null;
    s.draggable = !!draggable && !!placement && !!placement.boxMm;
    overlay.el.dataset.for = tag;
    render();
  }

  async function gotoPage(n) {
    if (!s.pdf || n < 1 || n > s.pageCount || n === s.page) return;
    s.page = n;
    renderPager();
    await draw();
  }

  function setNote(text, kind = '') {
    noteEl.textContent = text || '';
    noteEl.dataset.placement = kind || '';
  }

  function setCaption(...nodes) {
    clear(captionEl);
    const content = nodes.flat().filter(Boolean);
    captionEl.hidden = !content.length;
    captionEl.append(...content);
  }

  /** Nothing shown. */
  function reset() {
    s.gen++;
    s.drawing++;
    if (s.pdf) s.pdf.destroy();
    s.pdf = null;
    s.source = null;
    s.placement = null;
    s.viewport = null;
    viewEl.dataset.ready = '0';
    delete viewEl.dataset.source;
    setNote('');
    setCaption();
    render();
  }

  function setLabel(label) {
    overlay.setLabel(label);
  }

  reset();
  return {
    el, show, setPlacement, setNote, setCaption, reset, gotoPage, setLabel, render,
    get page() { return s.page; },
    get source() { return s.source; },
    get placement() { return s.placement; },
  };
}
