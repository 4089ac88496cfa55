// The draggable stamp box over the rendered page. Positions come from the core
// (boxMm, pageSizeMm); a drag ends with onMove([xMm, yMm]) — the new top-left.
import { mmToPx, dragTo } from './geometry.js';

export function createStampOverlay({ onMove, label = '' } = {}) {
  const el = document.createElement('div');
  el.className = 'stamp-box';
  el.setAttribute('data-testid', 'stamp-box');
  el.tabIndex = 0;
  el.setAttribute('role', 'button');
  const text = document.createElement('span');
  text.className = 'stamp-label';
  el.append(text);

  let state = null; // { boxMm, pageSizeMm, viewport }
  let drag = null;
  let keyTimer = null;
  let draggable = true;

  /** A box that can be moved (before signing) or only shown (a signed stamp). */
  function setDraggable(on) {
    draggable = !!on;
    el.classList.toggle('fixed', !draggable);
    el.tabIndex = draggable ? 0 : -1;
    if (draggable) el.setAttribute('role', 'button'); else el.removeAttribute('role');
  }

  function place(boxMm) {
    const px = mmToPx(boxMm, state.viewport, state.pageSizeMm);
    el.style.left = `${px.left}px`;
    el.style.top = `${px.top}px`;
    el.style.width = `${px.width}px`;
    el.style.height = `${px.height}px`;
    el.dataset.xMm = boxMm[0].toFixed(1);
    el.dataset.yMm = boxMm[1].toFixed(1);
  }

  function update({ boxMm, pageSizeMm, viewport }) {
    if (!boxMm) { el.hidden = true; state = null; return; }
    state = { boxMm: [...boxMm], pageSizeMm, viewport };
    el.hidden = false;
    place(state.boxMm);
  }

  function setLabel(s) {
    text.textContent = s;
    el.setAttribute('aria-label', s);
  }
  setLabel(label);

  function commit() {
    if (state && onMove) onMove([state.boxMm[0], state.boxMm[1]]);
  }

  el.addEventListener('pointerdown', (ev) => {
    if (!state || !draggable || (ev.button != null && ev.button !== 0)) return;
    ev.preventDefault();
    drag = { x: ev.clientX, y: ev.clientY, start: [...state.boxMm], moved: false };
    if (el.setPointerCapture && ev.pointerId != null) {
      try { el.setPointerCapture(ev.pointerId); } catch (_) { /* not capturable */ }
    }
    el.classList.add('dragging');
  });
  el.addEventListener('pointermove', (ev) => {
    if (!drag || !state) return;
    const [x, y] = dragTo(drag.start, ev.clientX - drag.x, ev.clientY - drag.y, state.viewport, state.pageSizeMm);
    drag.moved = drag.moved || x !== drag.start[0] || y !== drag.start[1];
    state.boxMm = [x, y, drag.start[2], drag.start[3]];
    place(state.boxMm);
  });
  const end = () => {
    if (!drag) return;
    const moved = drag.moved;
    drag = null;
    el.classList.remove('dragging');
    if (moved) commit();
  };
  el.addEventListener('pointerup', end);
  el.addEventListener('pointercancel', end);

  // keyboard: arrows move 1 mm (Shift: 5 mm)
  el.addEventListener('keydown', (ev) => {
    if (!state || !draggable) return;
    const step = ev.shiftKey ? 5 : 1;
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[ev.key];
    if (!d) return;
    ev.preventDefault();
    const s = state.viewport.width / state.pageSizeMm[0];
    const sy = state.viewport.height / state.pageSizeMm[1];
    const [x, y] = dragTo(state.boxMm, d[0] * s, d[1] * sy, state.viewport, state.pageSizeMm);
    state.boxMm = [x, y, state.boxMm[2], state.boxMm[3]];
    place(state.boxMm);
    clearTimeout(keyTimer);
    keyTimer = setTimeout(commit, 400);
  });

  return { el, update, setLabel, setDraggable, current: () => (state ? [...state.boxMm] : null) };
}
