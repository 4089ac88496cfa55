// Visible errors and notices (error-banner), always the AppError's own text.
import { errorText } from './format.js';
import { t } from './i18n.js';

let lastError = null;

function banner() {
  return document.querySelector('[data-testid="error-banner"]');
}

export function showError(err) {
  lastError = err;
  const el = banner();
  if (!el) return;
  el.querySelector('.banner-text').textContent = errorText(err);
  el.hidden = false;
  if (err && err.kind) el.dataset.kind = err.kind; else delete el.dataset.kind;
}

export function clearError() {
  lastError = null;
  const el = banner();
  if (el) { el.hidden = true; el.querySelector('.banner-text').textContent = ''; delete el.dataset.kind; }
}

/** Re-render the banner after a language switch. */
export function refreshError() {
  if (lastError) showError(lastError);
}

export function initErrorBanner() {
  const el = banner();
  if (!el) return;
  const btn = el.querySelector('.banner-close');
  if (btn) {
    btn.addEventListener('click', clearError);
    btn.setAttribute('aria-label', t('common.close'));
  }
}
