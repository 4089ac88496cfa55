// Input checks: number and symbol of a document ("12/QĐ-UBND", "05/2026/TT-BTC"),
// dates (kept as YYYY-MM-DD, typed and shown as dd/mm/yyyy: real calendar dates), years.
import { t, getLang } from './i18n.js';
import { todayVN, formatDate } from './format.js';

// number, optional year, symbol of letters (Vietnamese too) and digits joined by '-'
const NUMBER_RE = /^\d{1,6}(?:\/\d{4})?\/[\p{L}\d]+(?:[-.][\p{L}\d]+)*$/u;

/** Tidy a typed number: trims, drops a leading "Số:", removes spaces around '/' and '-'. */
export function normaliseNumber(raw) {
  return String(raw || '')
    .trim()
    .replace(/^số\s*:?\s*/iu, '')
    .replace(/\s*([/-])\s*/g, '$1')
    .normalize('NFC');
}

export function isValidNumber(raw) {
  return NUMBER_RE.test(normaliseNumber(raw));
}

/** A real calendar date written YYYY-MM-DD. */
export function isValidDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s || ''));
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || mo < 1 || mo > 12 || d < 1) return false;
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= dim;
}

/** '' when fine, else the message. Empty is allowed unless `required`. */
export function numberProblem(raw, { required = false } = {}, lang = getLang()) {
  const n = normaliseNumber(raw);
  if (!n) return required ? t('error.number', { n: '' }, lang) : '';
  return NUMBER_RE.test(n) ? '' : t('error.number', { n }, lang);
}

/** '' when fine; a document date must be a real date and not later than today (VN). */
export function dateProblem(s, { allowEmpty = true, now = new Date() } = {}, lang = getLang()) {
  if (!s) return allowEmpty ? '' : t('error.date', { d: '' }, lang);
  if (!isValidDate(s)) return t('error.date', { d: s }, lang);
  if (s > todayVN(now)) return t('error.dateFuture', { d: formatDate(s) }, lang);
  return '';
}

/** Search range: both optional, each a real date, from ≤ to. */
export function rangeProblem(from, to, lang = getLang()) {
  if (from && !isValidDate(from)) return t('error.date', { d: from }, lang);
  if (to && !isValidDate(to)) return t('error.date', { d: to }, lang);
  if (from && to && from > to) return t('error.dateRange', {}, lang);
  return '';
}

export function isValidYear(y) {
  const n = Number(y);
  return Number.isInteger(n) && n >= 2000 && n <= 2100;
}

/**
 * Check the seal batch rows [{ id, docNumber, docDate }]: returns [{ id, message }]
 * for every bad number, bad date, or number used twice.
 */
export function batchProblems(rows, now = new Date(), lang = getLang()) {
  const problems = [];
  const seen = new Map();
  for (const r of rows) {
    const np = numberProblem(r.docNumber, {}, lang);
    if (np) problems.push({ id: r.id, message: np });
    const dp = dateProblem(r.docDate, { now }, lang);
    if (dp) problems.push({ id: r.id, message: dp });
    const n = normaliseNumber(r.docNumber).toUpperCase();
    if (n && !np) {
      if (seen.has(n)) problems.push({ id: r.id, message: t('clerk.duplicateNumber', { n: normaliseNumber(r.docNumber) }, lang) });
      else seen.set(n, r.id);
    }
  }
  return problems;
}
