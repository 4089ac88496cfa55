// Certificates: flatten the token inventory, option values for <select>, expiry warnings.
import { t, getLang } from './i18n.js';
import { formatDate, issuerName } from './format.js';

export { issuerName };

export const WARN_DAYS = 30; // R16: warn one month before expiry
const DAY_MS = 86400000;

/** Whole days from `now` until notAfter (negative once expired). */
export function daysUntil(notAfter, now = new Date()) {
  const end = new Date(notAfter);
  if (Number.isNaN(end.getTime())) return null;
  return Math.floor((end.getTime() - now.getTime()) / DAY_MS);
}

/** Days left: the core's daysLeft when given, else computed from notAfter. */
export function daysLeftOf(cert, now = new Date()) {
  if (cert && Number.isFinite(cert.daysLeft)) return cert.daysLeft;
  return cert ? daysUntil(cert.notAfter, now) : null;
}

/**
 * null when the certificate is fine, else { level: expired|today|soon, days, date, message }
 * (a warning starts `warnDays` days before the end).
 */
export function expiryWarning(cert, now = new Date(), warnDays = WARN_DAYS, lang = getLang()) {
  const days = daysLeftOf(cert, now);
  if (days == null || days > warnDays) return null;
  const date = formatDate(cert.notAfter);
  if (days < 0) return { level: 'expired', days, date, message: t('cert.expired', { date }, lang) };
  if (days === 0) return { level: 'today', days, date, message: t('cert.expiresToday', { date }, lang) };
  return { level: 'soon', days, date, message: t('cert.expiresSoon', { days, date }, lang) };
}

/** Short display name of a certificate. */
export function certName(cert) {
  return cert.commonName || cert.label || cert.subject || cert.idHex;
}

/** All certificates with a key, each with its token label: [{ tokenLabel, cert, value }]. */
export function signingCerts(tokens) {
  const out = [];
  for (const tok of tokens || []) {
    for (const cert of tok.certificates || []) {
      if (cert.hasKey === false) continue;
      out.push({ tokenLabel: tok.label, token: tok, cert, value: certValue(tok.label, cert.idHex) });
    }
  }
  return out;
}

/** The <select> option value: "tokenLabel|certIdHex". */
export function certValue(tokenLabel, idHex) {
  return `${tokenLabel}|${idHex}`;
}

/** Split an option value back; the id is after the last '|' (labels may contain '|'). */
export function parseCertValue(value) {
  const i = String(value || '').lastIndexOf('|');
  if (i < 0) return null;
  return { tokenLabel: value.slice(0, i), certIdHex: value.slice(i + 1) };
}

/** Certificates sorted so that those of `preferredRole` come first, then by name. */
export function sortForRole(entries, preferredRole) {
  const rank = (e) => (e.cert.role === preferredRole ? 0 : e.cert.role === 'unknown' ? 1 : 2);
  return [...entries].sort((a, b) => rank(a) - rank(b) || certName(a.cert).localeCompare(certName(b.cert), 'vi'));
}

export function certOptionText(cert, lang = getLang()) {
  return t('cert.option', { name: certName(cert), issuer: issuerName(cert.issuer), expiry: formatDate(cert.notAfter) }, lang);
}

/** Text for the start-up banner from expiring_certificates, '' when none. */
export function expiryBannerText(certs, now = new Date(), lang = getLang()) {
  const soon = [];
  const expired = [];
  for (const c of certs || []) {
    const w = expiryWarning(c, now, WARN_DAYS, lang);
    if (!w) continue;
    const who = `${certName(c)}${c.tokenLabel ? ` (${c.tokenLabel})` : ''}`;
    if (w.level === 'expired') expired.push(`${who}: ${w.date}`);
    else soon.push(`${who}: ${w.date}`);
  }
  const parts = [];
  if (soon.length) parts.push(t('banner.expiring', { list: soon.join('; ') }, lang));
  if (expired.length) parts.push(t('banner.expired', { list: expired.join('; ') }, lang));
  return parts.join(' ');
}
