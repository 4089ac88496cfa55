// Shared pieces of the screens: token cache, certificate <select>, verdict badge,
// signature details, "add files" with a role.
import { call } from './api.js';
import { h, clear } from './dom.js';
import { t } from './i18n.js';
import { verdictOf, reasonOf, signatureDetails, statusLabel, fileName } from './format.js';
import { signingCerts, sortForRole, certOptionText, certName, issuerName, expiryWarning, parseCertValue } from './certs.js';
import { formatDate, parseDateVN } from './format.js';

let tokensPromise = null;

/** list_tokens, cached until `force`. */
export function loadTokens(force = false) {
  if (force || !tokensPromise) {
    tokensPromise = call('list_tokens').catch((e) => { tokensPromise = null; throw e; });
  }
  return tokensPromise;
}

/**
 * Fill a certificate <select> (option values "tokenLabel|certIdHex"), preferred
 * role first, keeping the previous choice when still present. Returns the entries.
 */
export function fillCertSelect(select, tokens, preferredRole) {
  const previous = select.value;
  const entries = sortForRole(signingCerts(tokens), preferredRole);
  clear(select);
  if (!entries.length) {
    select.append(h('option', { value: '', text: t('common.noCert') }));
    select.disabled = true;
    return entries;
  }
  select.disabled = false;
  for (const e of entries) {
    select.append(h('option', { value: e.value, text: certOptionText(e.cert) }));
  }
  if (entries.some((e) => e.value === previous)) select.value = previous;
  return entries;
}

/** The chosen entry of a filled select, or null. */
export function chosenCert(select, entries) {
  const v = select.value;
  const parsed = parseCertValue(v);
  if (!parsed) return null;
  const entry = entries.find((e) => e.value === v) || null;
  return entry ? { ...parsed, cert: entry.cert, token: entry.token } : null;
}

/** Detail lines shown under a certificate select: name, issuer, expiry, role (+ warning). */
export function certSummary(entry, wrongRoleKey, preferredRole) {
  if (!entry) return h('div', { class: 'cert-summary muted' });
  const c = entry.cert;
  const w = expiryWarning(c);
  return h('div', { class: 'cert-summary' },
    h('dl', { class: 'kv' },
      h('dt', { text: t('cert.name') }), h('dd', { text: certName(c) }),
      h('dt', { text: t('cert.issuer') }), h('dd', { text: issuerName(c.issuer) }),
      h('dt', { text: t('cert.expiry') }), h('dd', { text: formatDate(c.notAfter) }),
      h('dt', { text: t('cert.role') }), h('dd', { text: t('cert.role.' + (c.role || 'unknown')) })),
    w ? h('p', { class: 'warn', text: w.message }) : null,
    c.role && c.role !== preferredRole && c.role !== 'unknown' ? h('p', { class: 'warn', text: t(wrongRoleKey) }) : null);
}

/** Coloured badge with the verdict text (never colour alone). */
export function verdictBadge(source, testid = 'verdict-badge') {
  const v = verdictOf(source);
  const icon = { valid: '✔', invalid: '✖', indeterminate: '?', unknown: '…' }[v.key];
  return h('span', { class: `badge badge-${v.colour}`, testid, dataset: { verdict: v.key } },
    h('span', { class: 'badge-icon', 'aria-hidden': 'true', text: icon }), v.label);
}

export function statusChip(status) {
  return h('span', { class: `status status-${status}`, dataset: { status } , text: statusLabel(status) });
}

/** Per-signature details of a verifier report. */
export function signatureList(report, { badgeTestId = 'sig-verdict' } = {}) {
  const sigs = (report && report.signatures) || [];
  return h('ol', { class: 'sig-list' }, sigs.map((s, i) =>
    h('li', { class: 'sig' },
      h('div', { class: 'sig-head' },
        h('strong', { text: t('sig.heading', { i: s.index || i + 1 }) }), ' ',
        verdictBadge(s, badgeTestId), ' ',
        h('span', { text: (s.signer && (s.signer.commonName || s.signer.subject)) || '' })),
      h('dl', { class: 'kv' }, signatureDetails(s).map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])))));
}

/**
 * A date field typed and shown as day/month/year ("06/12/2026") whatever the web
 * engine's locale — never the engine's own date picker, whose format follows the
 * locale (12/06/2026 for 6 December under C/en-US). `iso`: the value, YYYY-MM-DD.
 * `onChange(iso, text)`: `iso` is null while the text is not a real date.
 */
export function dateField({ testid, iso = '', disabled = false, onChange } = {}) {
  const input = h('input', {
    type: 'text', class: 'date-input', testid, value: iso ? formatDate(iso) : '', placeholder: t('date.placeholder'),
    inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', maxlength: '10', disabled, 'aria-invalid': 'false',
  });
  const update = () => {
    const v = parseDateVN(input.value);
    input.setAttribute('aria-invalid', String(!!input.value.trim() && !v));
    if (v) input.dataset.iso = v; else delete input.dataset.iso;
    if (onChange) onChange(v, input.value);
    return v;
  };
  if (iso) input.dataset.iso = iso;
  input.addEventListener('input', update);
  input.addEventListener('blur', () => { const v = update(); if (v) input.value = formatDate(v); });
  return input;
}

/** One-line document label: title or file name. */
export function docLabel(doc) {
  return doc.title || fileName(doc.currentPath || doc.sourcePath || doc.fileName) || doc.fileName || `#${doc.id}`;
}

export { reasonOf };
