import { t } from './i18n.js';
import { errorText } from './format.js';

// Batch sealing progress: a reducer over `batch-progress` events (BatchProgress)
// and the final results (BatchResult), both as the core sends them.
// Item states: queued → running → done | failed | pending. `pending` is the core's
// BatchState for a document never tried (cancel, token pulled out, helper died, or
// the whole call failing): it is still waiting, not failed.

/** @typedef {import('./bindings').BatchProgress} BatchProgress */
/** @typedef {import('./bindings').BatchResult} BatchResult */

export function initBatch(ids) {
  const items = {};
  for (const id of ids) items[id] = { state: 'queued', doc: null, error: null };
  return { order: [...ids], items, total: ids.length, finished: false, cancelRequested: false, error: null };
}

const CORE_STATES = new Set(['running', 'done', 'failed', 'pending']);

export function batchReducer(state, action) {
  switch (action.type) {
    case 'progress': {
      /** @type {BatchProgress} */
      const p = action.payload || {};
      const cur = state.items[p.id];
      if (!cur || state.finished || !CORE_STATES.has(p.state)) return state;
      return { ...state, items: { ...state.items, [p.id]: { ...cur, state: p.state, error: p.error || null } } };
    }
    case 'cancel-requested':
      return { ...state, cancelRequested: true };
    case 'results': {
      const items = { ...state.items };
      const seen = new Set();
      for (const /** @type {BatchResult} */ r of action.results || []) {
        if (!items[r.id] || !CORE_STATES.has(r.state) || r.state === 'running') continue;
        seen.add(r.id);
        items[r.id] = { ...items[r.id], state: r.state, doc: r.doc || null, error: r.error || null };
      }
      for (const id of state.order) {
        if (!seen.has(id) && items[id].state !== 'done' && items[id].state !== 'failed') {
          items[id] = { ...items[id], state: 'pending' };
        }
      }
      return { ...state, items, finished: true };
    }
    case 'error': {
      // The call itself failed (token missing, helper gone): nothing after the last
      // finished item was sealed; those documents are still pending.
      const items = { ...state.items };
      for (const id of state.order) {
        if (items[id].state !== 'done' && items[id].state !== 'failed') items[id] = { ...items[id], state: 'pending' };
      }
      return { ...state, items, finished: true, error: action.error || null };
    }
    default:
      return state;
  }
}

export function batchCounts(state) {
  const c = { queued: 0, running: 0, done: 0, failed: 0, pending: 0 };
  for (const id of state.order) c[state.items[id].state] += 1;
  return c;
}

/** Percentage of items finished (done or failed), 0–100. */
export function batchPercent(state) {
  if (!state.total) return 100;
  const c = batchCounts(state);
  return Math.round(((c.done + c.failed) * 100) / state.total);
}

/** One line per document of the batch: { id, state, label, message } (text only). */
export function batchLines(state, lang) {
  return state.order.map((id) => {
    const it = state.items[id];
    return { id, state: it.state, label: t('batch.' + it.state, {}, lang), message: it.error ? errorText(it.error, lang) : '' };
  });
}
