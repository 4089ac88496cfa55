// A question in the main page (never a PIN): a modal box with the message and two
// buttons; resolves true (OK) or false (Cancel, Escape). One at a time.
import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * @param {{ title: string, message: string, details?: Array<[string, string]>, ok?: string, cancel?: string, testid?: string }} q
 * @returns {Promise<boolean>}
 */
export function confirmDialog(q) {
  return new Promise((resolve) => {
    const prev = document.activeElement;
    let done = false;
    const finish = (answer) => {
      if (done) return;
      done = true;
      document.removeEventListener('keydown', onKey, true);
      backdrop.remove();
      if (prev && typeof prev.focus === 'function') prev.focus();
      resolve(answer);
    };
    const onKey = (ev) => { if (ev.key === 'Escape') { ev.preventDefault(); finish(false); } };
    const okBtn = h('button', { type: 'button', class: 'btn btn-primary', testid: 'confirm-ok', onclick: () => finish(true), text: q.ok || t('common.ok') });
    const cancelBtn = h('button', { type: 'button', class: 'btn', testid: 'confirm-cancel', onclick: () => finish(false), text: q.cancel || t('common.cancel') });
    const details = (q.details || []).length
      ? h('dl', { class: 'kv', testid: 'confirm-details' }, q.details.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]))
      : null;
    const backdrop = h('div', { class: 'dialog-backdrop', testid: q.testid || 'confirm-dialog' },
      h('div', { class: 'dialog', role: 'alertdialog', 'aria-modal': 'true' },
        h('h2', { class: 'dialog-title', text: q.title }),
        h('p', { testid: 'confirm-message', text: q.message }),
        details,
        h('div', { class: 'dialog-buttons' }, okBtn, cancelBtn)));
    document.addEventListener('keydown', onKey, true);
    document.body.append(backdrop);
    cancelBtn.focus();
  });
}
