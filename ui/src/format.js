// Display helpers: verdicts, statuses, Vietnam-time dates, AppError text.
import { t, getLang } from './i18n.js';

const VN_OFFSET_MS = 7 * 3600 * 1000; // Vietnam: UTC+07:00, no daylight saving (R18)

const VERDICTS = {
  TOTAL_PASSED: { key: 'valid', colour: 'green' },
  TOTAL_FAILED: { key: 'invalid', colour: 'red' },
  INDETERMINATE: { key: 'indeterminate', colour: 'amber' },
};
const STATUS_TO_INDICATION = { valid: 'TOTAL_PASSED', invalid: 'TOTAL_FAILED', indeterminate: 'INDETERMINATE' };

/**
 * Verdict of a report / signature report / indication string / doc:
 * { key: valid|invalid|indeterminate|unknown, label, colour: green|red|amber|grey }.
 */
export function verdictOf(source, lang = getLang()) {
  let indication = null;
  if (typeof source === 'string') indication = source;
  else if (source && typeof source === 'object') {
    indication = source.indication || source.verdict || STATUS_TO_INDICATION[source.status] || null;
  }
  const v = VERDICTS[indication];
  if (!v) return { key: 'unknown', label: t('verdict.unknown', {}, lang), colour: 'grey', indication: null };
  return { key: v.key, label: t('verdict.' + v.key, {}, lang), colour: v.colour, indication };
}

/** The one-sentence reason of a report (or signature report) in the language. */
export function reasonOf(report, lang = getLang()) {
  if (!report) return '';
  return localiseDates((lang === 'en' ? report.messageEn || report.messageVi : report.messageVi || report.messageEn) || '');
}

export function statusLabel(status, lang = getLang()) {
  const key = 'status.' + status;
  const s = t(key, {}, lang);
  return s === key ? String(status || '') : s;
}

/** Parse an ISO 8601 string; null when not a date. */
function parse(iso) {
  if (iso instanceof Date) return Number.isNaN(iso.getTime()) ? null : iso;
  if (typeof iso !== 'string' || !iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** Fields of the instant in Vietnam time. */
function vnParts(d) {
  const v = new Date(d.getTime() + VN_OFFSET_MS);
  return {
    y: v.getUTCFullYear(), m: v.getUTCMonth() + 1, d: v.getUTCDate(),
    hh: v.getUTCHours(), mm: v.getUTCMinutes(), ss: v.getUTCSeconds(),
  };
}

/**
 * "22/11/2026 09:15:30 +07:00": day/month/year and the time in Vietnam time, whatever
 * the web engine's locale (R18: files keep ISO 8601; the screen shows dd/mm/yyyy).
 */
export function formatDateTime(iso) {
  const d = parse(iso);
  if (!d) return iso ? String(iso) : '';
  const p = vnParts(d);
  return `${pad(p.d)}/${pad(p.m)}/${p.y} ${pad(p.hh)}:${pad(p.mm)}:${pad(p.ss)} +07:00`;
}

/** "22/11/2026": the date in Vietnam time. A plain YYYY-MM-DD is rewritten as it stands. */
export function formatDate(iso) {
  if (typeof iso === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  }
  const d = parse(iso);
  if (!d) return iso ? String(iso) : '';
  const p = vnParts(d);
  return `${pad(p.d)}/${pad(p.m)}/${p.y}`;
}

/** Today's date in Vietnam time as the core takes it: YYYY-MM-DD. */
export function todayVN(now = new Date()) {
  const p = vnParts(now);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/**
 * A date typed as day/month/year ("06/12/2026", "6/12/2026", "6-12-2026", "06.12.2026")
 * as YYYY-MM-DD; null when it is not a real calendar date. Never month/day.
 */
export function parseDateVN(text) {
  const m = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$/.exec(String(text ?? ''));
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || mo < 1 || mo > 12 || d < 1) return null;
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return null;
  return `${y}-${pad(mo)}-${pad(d)}`;
}

// ISO 8601 dates and times inside a sentence from the core (verdict reasons, errors).
// Not inside a file name or path ("bao-cao-2026-11-22.csv" stays as it is).
const ISO_IN_TEXT = /(?<![\w./\\-])(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?(?![\w/\\-]|\.\w)/g;

/** A sentence with its ISO 8601 dates shown as dd/mm/yyyy (times in Vietnam time). */
export function localiseDates(text) {
  if (typeof text !== 'string' || !text) return text;
  return text.replace(ISO_IN_TEXT, (all, y, mo, d, hh, mi, ss, zone) => {
    if (hh === undefined) return `${d}/${mo}/${y}`;
    if (zone) {
      const iso = `${y}-${mo}-${d}T${hh}:${mi}:${ss || '00'}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
      const out = formatDateTime(iso);
      return out === iso ? all : out;
    }
    return `${d}/${mo}/${y} ${hh}:${mi}${ss ? `:${ss}` : ''}`;
  });
}

export function fileName(path) {
  if (!path) return '';
  return String(path).split(/[\\/]/).filter(Boolean).pop() || String(path);
}

/** The text of an AppError (or anything thrown) in the current language. */
export function errorText(err, lang = getLang()) {
  if (err == null) return '';
  if (typeof err === 'string') return err;
  if (typeof err === 'object') {
    const msg = lang === 'en' ? err.en || err.vi : err.vi || err.en;
    if (msg) return localiseDates(msg);
    if (err.message) return t('error.generic', { msg: err.message }, lang);
  }
  return t('error.generic', { msg: String(err) }, lang);
}

export function coverageLabel(coverage, lang = getLang()) {
  const c = coverage && typeof coverage === 'object' ? coverage.coverage : coverage;
  if (!c) return '';
  const key = 'coverage.' + c;
  const s = t(key, {}, lang);
  return s === key ? c : s;
}

/** Rows [label, value] describing one signature of a verifier report. */
export function signatureDetails(sig, lang = getLang()) {
  const signer = sig.signer || {};
  const rows = [
    [t('sig.signer', {}, lang), signer.commonName || signer.subject || ''],
    [t('sig.issuer', {}, lang), issuerName(signer.issuer)],
    [t('sig.time', {}, lang), formatDateTime(sig.signingTime || sig.claimedTime) || ''],
  ];
  // Each time-stamp token with its own result; only a valid one proves a time.
  for (const ts of sig.timestamps || []) {
    rows.push([t('sig.timestamp', {}, lang), localiseDates(lang === 'en' ? ts.messageEn : ts.messageVi) || formatDateTime(ts.genTime)]);
  }
  if (!(sig.timestamps || []).length && sig.timestamp) rows.push([t('sig.timestamp', {}, lang), formatDateTime(sig.timestamp)]);
  if (sig.validationTime) {
    const basis = t('sig.basis.' + sig.validationTime.basis, {}, lang);
    rows.push([t('sig.judgedAt', {}, lang), `${formatDateTime(sig.validationTime.time)} (${basis})`]);
  }
  rows.push([t('sig.coverage', {}, lang), coverageLabel(sig.coverage, lang)]);
  if (sig.subIndication) rows.push([t('sig.sub', {}, lang), sig.subIndication]);
  rows.push([t('sig.sentence', {}, lang), reasonOf(sig, lang)]);
  return rows.filter(([, v]) => v !== '');
}

/** Any signature of the report is invalid (TOTAL_FAILED): sealing must be refused (R9). */
export function hasInvalidSignature(report) {
  return !!(report && Array.isArray(report.signatures)
    && report.signatures.some((s) => s.indication === 'TOTAL_FAILED'));
}

/** Short issuer name: its CN when the issuer is a distinguished name. */
export function issuerName(issuer) {
  if (!issuer) return '';
  const m = /(?:^|,\s*)CN=((?:\\,|[^,])+)/.exec(issuer);
  return m ? m[1].replace(/\\,/g, ',').trim() : issuer;
}
