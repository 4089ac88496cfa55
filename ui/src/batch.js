// Batch sealing progress: a reducer over `batch-progress` events and the final result.
// Item states: queued → running → done | failed | cancelled; items never reached
// (cancel, token pulled out, the whole call failing) end as `pending`.

export function initBatch(ids) {
  const items = {};
  for (const id of ids) items[id] = { state: 'queued', message: null, doc: null, error: null };
  return { order: [...ids], items, total: ids.length, finished: false, cancelRequested: false, error: null };
}

const TERMINAL = new Set(['done', 'failed', 'cancelled', 'pending']);

export function batchReducer(state, action) {
  switch (action.type) {
    case 'progress': {
      const p = action.payload || {};
      const cur = state.items[p.id];
      if (!cur || state.finished) return state;
      if (!['running', 'done', 'failed', 'cancelled'].includes(p.state)) return state;
      return {
        ...state,
        items: { ...state.items, [p.id]: { ...cur, state: p.state, message: p.message || null } },
      };
    }
    case 'cancel-requested':
      return { ...state, cancelRequested: true };
    case 'results': {
      const items = { ...state.items };
      const seen = new Set();
      for (const r of action.results || []) {
        if (!items[r.id]) continue;
        seen.add(r.id);
        if (r.ok) items[r.id] = { ...items[r.id], state: 'done', doc: r.doc || null, error: null };
        else if (r.error && r.error.kind === 'cancelled') items[r.id] = { ...items[r.id], state: 'pending', error: r.error };
        else items[r.id] = { ...items[r.id], state: 'failed', error: r.error || null };
      }
      for (const id of state.order) {
        if (!seen.has(id) && items[id].state !== 'done' && items[id].state !== 'failed') {
          items[id] = { ...items[id], state: 'pending' };
        }
      }
      return { ...state, items, finished: true };
    }
    case 'error': {
      // The call itself failed (wrong PIN, token missing): nothing after the last
      // finished item was sealed.
      const items = { ...state.items };
      for (const id of state.order) {
        if (!TERMINAL.has(items[id].state) || items[id].state === 'cancelled') {
          items[id] = { ...items[id], state: 'pending' };
        }
      }
      return { ...state, items, finished: true, error: action.error || null };
    }
    default:
      return state;
  }
}

export function batchCounts(state) {
  const c = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, pending: 0 };
  for (const id of state.order) c[state.items[id].state] += 1;
  return c;
}

/** Percentage of items finished (done or failed), 0–100. */
export function batchPercent(state) {
  if (!state.total) return 100;
  const c = batchCounts(state);
  return Math.round(((c.done + c.failed) * 100) / state.total);
}
