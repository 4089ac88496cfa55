// The PIN dialog (shared by signing and sealing): Enter = OK, Esc = cancel.
// The PIN leaves the input as soon as OK is pressed and is handed to the caller
// once; nothing here keeps or logs it.
import { t } from './i18n.js';
import { triesInfo } from './pin.js';

let pending = null;

function els() {
  const root = document.querySelector('[data-testid="pin-dialog"]');
  return {
    root,
    title: root.querySelector('.dialog-title'),
    input: root.querySelector('[data-testid="pin-input"]'),
    ok: root.querySelector('[data-testid="pin-ok"]'),
    cancel: root.querySelector('[data-testid="pin-cancel"]'),
    tries: root.querySelector('[data-testid="pin-tries"]'),
    error: root.querySelector('.dialog-error'),
  };
}

function finish(value) {
  const e = els();
  e.input.value = '';
  e.root.hidden = true;
  const p = pending;
  pending = null;
  if (p) {
    if (p.returnFocus && p.returnFocus.focus) p.returnFocus.focus();
    p.resolve(value);
  }
}

function onOk() {
  const e = els();
  let pin = e.input.value;
  e.input.value = '';
  if (!pin) {
    e.error.textContent = t('pin.empty');
    e.error.hidden = false;
    e.input.focus();
    return;
  }
  finish(pin);
  pin = null;
}

/** Wire the static dialog once. */
export function initPinDialog() {
  const e = els();
  e.ok.addEventListener('click', onOk);
  e.cancel.addEventListener('click', () => finish(null));
  e.root.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { ev.preventDefault(); finish(null); }
    else if (ev.key === 'Enter' && ev.target === e.input) { ev.preventDefault(); onOk(); }
    else if (ev.key === 'Tab') {
      // keep focus inside the dialog
      const order = [e.input, e.ok, e.cancel];
      const i = order.indexOf(document.activeElement);
      ev.preventDefault();
      order[(i + (ev.shiftKey ? order.length - 1 : 1)) % order.length].focus();
    }
  });
}

/**
 * Ask for the PIN. opts: { title, tries (pinTries or pinStatus), error (text) }.
 * Resolves to the PIN string, or null when cancelled.
 */
export function askPin(opts = {}) {
  if (pending) finish(null);
  const e = els();
  const info = triesInfo(opts.tries);
  e.title.textContent = opts.title || t('pin.label');
  e.tries.textContent = info.message;
  e.tries.hidden = !info.message;
  e.tries.dataset.level = info.level || '';
  e.error.textContent = opts.error || '';
  e.error.hidden = !opts.error;
  e.input.value = '';
  e.input.disabled = info.blocked;
  e.ok.disabled = info.blocked;
  e.root.hidden = false;
  return new Promise((resolve) => {
    pending = { resolve, returnFocus: document.activeElement };
    (info.blocked ? e.cancel : e.input).focus();
  });
}

export function isPinDialogOpen() {
  return !!pending;
}
