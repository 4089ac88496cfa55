// Thiết bị: tokens, certificates, expiry warnings (R16), change PIN, unblock with the
// recovery code, renewed certificate, handover record. Every PIN and the unblock
// code are typed in the separate PIN window; this page never sees them.
import { call } from '../api.js';
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { showError, clearError } from '../notify.js';
import { formatDate, fileName } from '../format.js';
import { triesInfo } from '../pin.js';
import { certName, issuerName, expiryWarning, daysLeftOf } from '../certs.js';
import { loadTokens } from '../widgets.js';

/** The unblock code's state line for a token (`pinStatus.soTries`), or ''. */
export function soTriesText(pinStatus) {
  if (!pinStatus) return '';
  if (pinStatus.soLocked) return t('pin.so.locked');
  const v = pinStatus.soTries;
  return v && v !== 'unknown' ? t('pin.so.' + v) : '';
}

/** Vietnam's date today, `YYYY-MM-DD`. */
function todayVn() {
  return new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
}

/** The last part of a path (either separator). */
export function fileNameOf(path) {
  return String(path).split(/[\\/]/).pop();
}

export function createDevicesScreen() {
  const s = { tokens: null, notice: '', recovery: null, handoverFor: null, images: { signature: null, seal: null }, bridgeCerts: { personal: null, agency: null } };
  const recoveryEl = h('div', { class: 'card recovery', testid: 'recovery-request', hidden: true });
  const listEl = h('div', { class: 'token-list', testid: 'token-list' });
  const imagesEl = h('div', { class: 'card stamp-images', testid: 'stamp-images' });
  const refreshBtn = h('button', { type: 'button', class: 'btn', onclick: () => refresh(true) });
  const noticeEl = h('p', { class: 'notice', hidden: true });
  const hd = {};
  const el = h('section', { class: 'screen screen-devices' },
    h('div', { class: 'col col-main' },
      h('div', { class: 'row' }, hd.title = h('h2'), refreshBtn),
      noticeEl,
      recoveryEl,
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

  // Unblock: the unblock code and the new PIN (twice) in the PIN window. The code
  // locked: the shell writes the recovery request, shown here.
  async function unblock(tok) {
    clearError();
    s.notice = ''; s.recovery = null;
    try {
      const out = await call('unblock_token', { tokenLabel: tok.label });
      if (out.state === 'unblocked') s.notice = t('devices.unblocked', { label: tok.label });
      else s.recovery = out.request;
    } catch (e) {
      if (!e || e.kind !== 'cancelled') showError(e);
    }
    await refresh(true);
  }

  // A renewed certificate: the file through the native dialog (a handle, never a
  // path), the PIN in the PIN window.
  async function importCert(tok, removeOld) {
    clearError();
    s.notice = ''; s.recovery = null;
    try {
      const picked = await call('pick_certificate');
      if (!picked) return;
      const r = await call('import_certificate', { tokenLabel: tok.label, file: picked.handle, removeOld: !!removeOld });
      s.notice = r.written
        ? t('devices.imported', { subject: r.subject, date: formatDate(r.notAfter), label: tok.label })
        : t('devices.importSame', { label: tok.label });
    } catch (e) {
      if (!e || e.kind !== 'cancelled') showError(e);
    }
    await refresh(true);
  }

  function handoverForm(tok) {
    const f = {};
    const field = (key, input) => h('label', { class: 'field' }, h('span', { text: t('handover.' + key) }), input);
    const form = h('form', { class: 'handover-form card', testid: 'handover-form', autocomplete: 'off',
      onsubmit: async (ev) => {
        ev.preventDefault();
        clearError();
        const request = { tokenLabel: tok.label, from: f.from.value.trim(), to: f.to.value.trim(),
          witness: f.witness.value.trim() || null, date: f.date.value || null };
        if (!request.from || !request.to) { showError(t('handover.missing')); return; }
        try {
          const made = await call('create_handover', { request });
          s.handoverFor = null;
          s.notice = t('handover.made', { file: fileName(made.document.currentPath || made.document.sourcePath) });
          render();
        } catch (e) { showError(e); }
      } },
    h('h4', { text: t('handover.title', { label: tok.label }) }),
    field('from', f.from = h('input', { type: 'text', testid: 'handover-from', maxlength: '200' })),
    field('to', f.to = h('input', { type: 'text', testid: 'handover-to', maxlength: '200' })),
    field('witness', f.witness = h('input', { type: 'text', testid: 'handover-witness', maxlength: '200' })),
    field('date', f.date = h('input', { type: 'date', testid: 'handover-date', value: todayVn() })),
    h('div', { class: 'dialog-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'handover-create', text: t('handover.create') }),
      h('button', { type: 'button', class: 'btn', testid: 'handover-cancel', text: t('common.cancel'), onclick: () => { s.handoverFor = null; render(); } })));
    return form;
  }

  function renderRecovery() {
    clear(recoveryEl);
    recoveryEl.hidden = !s.recovery;
    if (!s.recovery) return;
    const r = s.recovery;
    recoveryEl.append(
      h('p', { class: 'warn warn-expired', role: 'alert', text: t('devices.soLocked') }),
      h('p', { class: 'small', testid: 'recovery-pdf', text: r.pdf }),
      h('p', { class: 'small', testid: 'recovery-txt', text: r.txt }),
      h('pre', { class: 'record-text', testid: 'recovery-text', text: r.text }));
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
    renderRecovery();
    clear(listEl);
    if (s.tokens == null) { listEl.append(h('p', { class: 'muted', text: t('common.loading') })); return; }
    if (!s.tokens.length) { listEl.append(h('p', { class: 'muted', text: t('devices.empty') })); return; }
    for (const tok of s.tokens) {
      const tries = triesInfo(tok.pinStatus);
      const so = soTriesText(tok.pinStatus);
      const removeOld = h('input', { type: 'checkbox', testid: 'import-remove-old' });
      listEl.append(h('div', { class: 'token card', testid: 'token-card', dataset: { label: tok.label } },
        h('div', { class: 'row head' },
          h('h3', { text: tok.label }),
          h('span', { class: 'muted small', text: `${t('devices.serial')}: ${tok.serial || '—'}` }),
          h('button', { type: 'button', class: 'btn', testid: 'change-pin-button', onclick: () => changePin(tok), text: t('devices.changePin') }),
          h('button', { type: 'button', class: 'btn', testid: 'unblock-button', onclick: () => unblock(tok), text: t('devices.unblock') })),
        tries.message ? h('p', { class: `small pin-level-${tries.level}`, testid: 'pin-state', text: `${t('devices.pin')}: ${tries.message}` }) : null,
        so ? h('p', { class: 'small', testid: 'so-state', text: so }) : null,
        h('ul', { class: 'cert-list' }, (tok.certificates || []).map((c) => certRow(c, tok))),
        h('div', { class: 'row' },
          h('button', { type: 'button', class: 'btn', testid: 'import-cert-button', onclick: () => importCert(tok, removeOld.checked), text: t('devices.importCert') }),
          h('label', { class: 'inline small' }, removeOld, ' ', t('devices.removeOld')),
          h('button', { type: 'button', class: 'btn', testid: 'handover-button', onclick: () => { s.handoverFor = tok.label; render(); }, text: t('devices.handover') })),
        s.handoverFor === tok.label ? handoverForm(tok) : null));
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
