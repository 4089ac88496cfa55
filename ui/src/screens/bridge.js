// E-office: the agency's web pages sign through KýSố (the bridge on wss://127.0.0.1:8987).
// Shows whether the bridge answers (or why not: e.g. the port held by another program),
// the documents the pages sent with the requesting site, and "Gửi lại" for a signed
// file whose upload failed.
import { call } from '../api.js';
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { showError, clearError } from '../notify.js';
import { errorText, fileName, formatDateTime, statusLabel } from '../format.js';

/** The line that says where the bridge is (pure, tested). */
export function bridgeStateText(status) {
  if (!status) return t('common.loading');
  switch (status.state) {
    case 'listening': return t('bridge.listening', { address: status.address || '' });
    case 'failed': return t('bridge.failed');
    case 'off': return t('bridge.off');
    default: return t('bridge.starting');
  }
}

/** What the upload column says for a bridged document (pure, tested). */
export function uploadText(d) {
  if (d.upload === 'uploaded') return t('bridge.upload.done');
  if (d.upload === 'failed') return d.canRetry ? t('bridge.upload.failed') : t('bridge.upload.failedGone');
  return t('bridge.upload.none');
}

export function createBridgeScreen() {
  const s = { status: null, docs: null, notice: '', busy: new Set(), atLogin: null };
  const statusEl = h('div', { class: 'card bridge-status', testid: 'bridge-status' });
  const listEl = h('div', { class: 'bridge-docs', testid: 'bridge-docs' });
  const noticeEl = h('p', { class: 'notice', testid: 'bridge-notice', hidden: true });
  const refreshBtn = h('button', { type: 'button', class: 'btn', onclick: () => refresh() });
  // Start at login: the pages find the bridge without opening KýSố first.
  const atLoginBox = h('input', { type: 'checkbox', testid: 'start-at-login', onchange: () => setAtLogin(atLoginBox.checked) });
  const atLoginText = h('span');
  const hd = {};
  const el = h('section', { class: 'screen screen-bridge' },
    h('div', { class: 'col col-main' },
      h('div', { class: 'row' }, hd.title = h('h2'), refreshBtn),
      hd.intro = h('p', { class: 'note' }),
      statusEl,
      h('label', { class: 'inline start-at-login' }, atLoginBox, atLoginText),
      noticeEl,
      listEl));

  function renderStatus() {
    clear(statusEl);
    const st = s.status;
    statusEl.dataset.state = st ? st.state : 'loading';
    statusEl.append(h('p', { class: st && st.state === 'failed' ? 'error-text' : 'ok-text', testid: 'bridge-state', text: bridgeStateText(st) }));
    if (!st) return;
    if (st.error) statusEl.append(h('p', { class: 'error-text', testid: 'bridge-error', text: errorText(st.error) }));
    const kv = h('dl', { class: 'kv' });
    kv.append(h('dt', { text: t('bridge.allowed') }), h('dd', { testid: 'bridge-allowed', text: st.allowOrigins.length ? st.allowOrigins.join(', ') : t('bridge.allowedNone') }));
    if (st.caPath) kv.append(h('dt', { text: t('bridge.ca') }), h('dd', { class: 'mono small', text: st.caPath }));
    statusEl.append(kv);
    if (st.state === 'listening') {
      statusEl.append(h('p', { class: 'row small' },
        h('button', { type: 'button', class: 'btn btn-small', testid: 'install-ca', onclick: installCa, text: t('bridge.installCa') }),
        h('span', { class: 'muted', text: t('bridge.installCaHint') })));
    }
  }

  function renderDocs() {
    clear(listEl);
    if (s.docs == null) { listEl.append(h('p', { class: 'muted', text: t('common.loading') })); return; }
    if (!s.docs.length) { listEl.append(h('p', { class: 'muted empty', text: t('bridge.empty') })); return; }
    const head = ['bridge.col.received', 'bridge.col.site', 'bridge.col.document', 'bridge.col.status', 'bridge.col.upload'];
    const rows = s.docs.map((b) => {
      const d = b.doc;
      const retry = b.canRetry
        ? h('button', { type: 'button', class: 'btn btn-small btn-primary', testid: 'bridge-retry', disabled: s.busy.has(d.id), onclick: () => retryUpload(d.id), text: s.busy.has(d.id) ? t('common.working') : t('bridge.retry') })
        : null;
      return h('tr', { class: 'bridge-item', testid: 'bridge-item', dataset: { id: d.id, upload: b.upload, origin: b.origin } },
        h('td', { text: formatDateTime(b.receivedAt) }),
        h('td', {}, h('div', { testid: 'bridge-origin', text: b.origin }), h('div', { class: 'small muted', text: b.endpoint })),
        h('td', {}, h('div', { text: d.title || fileName(d.fileName) }), h('div', { class: 'small muted', text: fileName(d.currentPath) })),
        h('td', {}, h('span', { class: `status status-${d.status}`, text: statusLabel(d.status) })),
        h('td', {},
          h('div', { class: b.upload === 'failed' ? 'error-text' : '', testid: 'bridge-upload', text: uploadText(b) }),
          b.upload === 'failed' && b.detail ? h('div', { class: 'small muted', text: b.detail }) : null,
          retry));
    });
    listEl.append(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, rows)));
  }

  function render() {
    hd.title.textContent = t('bridge.title');
    hd.intro.textContent = t('bridge.intro');
    refreshBtn.textContent = t('common.refresh');
    atLoginText.textContent = t('bridge.atLogin');
    atLoginBox.checked = !!s.atLogin;
    atLoginBox.disabled = s.atLogin == null;
    noticeEl.hidden = !s.notice;
    noticeEl.textContent = s.notice;
    renderStatus();
    renderDocs();
  }

  async function retryUpload(id) {
    clearError();
    s.busy.add(id);
    s.notice = '';
    render();
    try {
      const out = await call('retry_upload', { id });
      s.notice = t('bridge.retried', { message: (out && out.message) || '' });
    } catch (e) { showError(e); }
    s.busy.delete(id);
    await refresh();
  }

  async function installCa() {
    clearError();
    try {
      const r = await call('install_bridge_ca');
      if (r.installed.length) s.notice = t('bridge.caInstalled', { stores: r.installed.join(', ') });
      if (r.failed.length || !r.installed.length) {
        const why = r.failed.join('; ') || t('bridge.caNoStore');
        showError({ kind: 'ca_install', vi: `${t('bridge.caFailed', {}, 'vi')} ${why}`, en: `${t('bridge.caFailed', {}, 'en')} ${why}`, pinTries: null });
      }
    } catch (e) { showError(e); }
    render();
  }

  async function setAtLogin(enabled) {
    clearError();
    try { s.atLogin = await call('set_start_at_login', { enabled }); } catch (e) { showError(e); }
    render();
  }

  async function refresh() {
    try { s.atLogin = await call('start_at_login'); } catch (e) { s.atLogin = null; showError(e); }
    try { s.status = await call('bridge_status'); } catch (e) { showError(e); }
    try { s.docs = await call('bridge_documents'); } catch (e) { s.docs = []; showError(e); }
    render();
  }

  return {
    el,
    render,
    show: async () => { render(); await refresh(); },
    refreshList: refresh,
    /** The shell said the bridge started or failed. */
    setStatus(st) { s.status = st; render(); },
  };
}
