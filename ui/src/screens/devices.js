// Thiết bị: tokens, certificates, expiry warnings (R16), change PIN.
import { call } from '../api.js';
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { showError, clearError } from '../notify.js';
import { formatDate } from '../format.js';
import { triesInfo } from '../pin.js';
import { certName, issuerName, expiryWarning, daysLeftOf } from '../certs.js';
import { loadTokens } from '../widgets.js';

/** The last part of a path (either separator). */
export function fileNameOf(path) {
  return String(path).split(/[\\/]/).pop();
}

export function createDevicesScreen() {
  const s = { tokens: null, notice: '', images: { signature: null, seal: null }, bridgeCerts: { personal: null, agency: null } };
  const listEl = h('div', { class: 'token-list', testid: 'token-list' });
  const imagesEl = h('div', { class: 'card stamp-images', testid: 'stamp-images' });
  const refreshBtn = h('button', { type: 'button', class: 'btn', onclick: () => refresh(true) });
  const noticeEl = h('p', { class: 'notice', hidden: true });
  const hd = {};
  const el = h('section', { class: 'screen screen-devices' },
    h('div', { class: 'col col-main' },
      h('div', { class: 'row' }, hd.title = h('h2'), refreshBtn),
      noticeEl,
      listEl,
      imagesEl));

  // The PIN change happens in the separate PIN window: this page never sees a PIN.
  async function changePin(tok) {
    clearError();
    try {
      await call('change_pin', { tokenLabel: tok.label });
      s.notice = t('pin.changed');
      render();
    } catch (e) {
      if (!e || e.kind !== 'cancelled') showError(e);
    }
  }

  /** The certificate the e-office pages' calls of this kind sign with (the bridge). */
  function bridgeChoice(tok, c) {
    if (c.role !== 'personal' && c.role !== 'agency') return null;
    const kind = c.role === 'agency' ? 'agency' : 'personal';
    const cur = s.bridgeCerts[kind];
    const inUse = cur && cur.tokenLabel === tok.label && cur.certIdHex === c.idHex;
    const set = (choice) => async () => {
      clearError();
      try { s.bridgeCerts = await call('set_bridge_certificate', { agency: kind === 'agency', choice }); } catch (e) { showError(e); }
      render();
    };
    return inUse
      ? h('p', { class: 'row small' }, h('span', { class: 'ok-text', testid: 'bridge-cert-in-use', text: t('bridge.certInUse') }),
        h('button', { type: 'button', class: 'btn btn-small', onclick: set(null), text: t('bridge.certForget') }))
      : h('p', { class: 'row small' }, h('button', { type: 'button', class: 'btn btn-small', testid: 'bridge-cert-use',
        onclick: set({ tokenLabel: tok.label, certIdHex: c.idHex }), text: t('bridge.cert') }));
  }

  function certRow(c, tok) {
    const w = expiryWarning(c);
    const days = daysLeftOf(c);
    return h('li', { class: 'cert-item card' + (w ? ` cert-${w.level}` : ''), testid: 'cert-item', dataset: { id: c.idHex, role: c.role || 'unknown' } },
      h('div', { class: 'cert-name', text: certName(c) }),
      h('dl', { class: 'kv' },
        h('dt', { text: t('cert.issuer') }), h('dd', { text: issuerName(c.issuer) }),
        h('dt', { text: t('cert.expiry') }), h('dd', { text: `${formatDate(c.notAfter)}${days != null && days >= 0 ? ` (${t('devices.daysLeft', { days })})` : ''}` }),
        h('dt', { text: t('cert.role') }), h('dd', { text: t('cert.role.' + (c.role || 'unknown')) + (c.hasKey === false ? ` (${t('cert.noKey')})` : '') })),
      c.hasKey === false ? null : bridgeChoice(tok, c),
      w ? h('p', { class: `warn warn-${w.level}`, testid: 'cert-expiry-warning', role: 'status' },
        h('span', { 'aria-hidden': 'true', text: '⚠ ' }), w.message) : null);
  }

  function render() {
    hd.title.textContent = t('devices.title');
    refreshBtn.textContent = t('common.refresh');
    noticeEl.hidden = !s.notice;
    noticeEl.textContent = s.notice;
    clear(listEl);
    if (s.tokens == null) { listEl.append(h('p', { class: 'muted', text: t('common.loading') })); return; }
    if (!s.tokens.length) { listEl.append(h('p', { class: 'muted', text: t('devices.empty') })); return; }
    for (const tok of s.tokens) {
      const tries = triesInfo(tok.pinStatus);
      listEl.append(h('div', { class: 'token card', dataset: { label: tok.label } },
        h('div', { class: 'row head' },
          h('h3', { text: tok.label }),
          h('span', { class: 'muted small', text: `${t('devices.serial')}: ${tok.serial || '—'}` }),
          h('button', { type: 'button', class: 'btn', testid: 'change-pin-button', onclick: () => changePin(tok), text: t('devices.changePin') })),
        tries.message ? h('p', { class: `small pin-level-${tries.level}`, text: `${t('devices.pin')}: ${tries.message}` }) : null,
        h('ul', { class: 'cert-list' }, (tok.certificates || []).map((c) => certRow(c, tok)))));
    }
  }

  function renderImages() {
    clear(imagesEl);
    imagesEl.append(h('h3', { text: t('devices.images') }), h('p', { class: 'muted small', text: t('devices.imagesHint') }));
    for (const kind of ['signature', 'seal']) {
      const path = s.images[kind];
      imagesEl.append(h('div', { class: 'row' },
        h('span', { text: t('devices.image.' + kind) + ': ' }),
        h('span', { class: path ? 'small' : 'muted small', testid: `stamp-image-${kind}`, text: path ? fileNameOf(path) : t('devices.imageNone') }),
        h('button', { type: 'button', class: 'btn', testid: `set-stamp-image-${kind}`, onclick: () => chooseImage(kind), text: t('devices.imageChoose') })));
    }
  }

  async function chooseImage(kind) {
    clearError();
    try {
      const picked = await call('pick_image');
      if (!picked) return;
      await call('set_stamp_image', { kind, file: picked.handle });
      s.images = await call('stamp_images');
      renderImages();
    } catch (e) { showError(e); }
  }

  async function refresh(force) {
    clearError();
    try { s.images = await call('stamp_images'); } catch (e) { showError(e); }
    try { s.bridgeCerts = (await call('bridge_status')).certificates; } catch (e) { showError(e); }
    renderImages();
    try { s.tokens = await loadTokens(force); } catch (e) { s.tokens = []; showError(e); }
    render();
  }

  return { el, render, show: async () => { render(); await refresh(false); } };
}
