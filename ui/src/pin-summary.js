// What the PIN window says will be signed, as [label, value] rows (pure, tested).
import { t, getLang } from './i18n.js';
import { formatDate } from './format.js';

/** Rows for a SignSummary: role, certificate (holder, serial), token. */
export function summaryRows(s, lang = getLang()) {
  const rows = [
    [t('pin.role', {}, lang), t(s.role === 'seal' ? 'pin.roleSeal' : 'pin.roleSign', {}, lang)],
    [t('pin.certificate', {}, lang), s.certificate || s.certIdHex],
  ];
  if (s.certSerial) rows.push([t('pin.serial', {}, lang), s.certSerial]);
  rows.push([t('pin.token', {}, lang), s.tokenLabel]);
  rows.push([t('pin.documents', {}, lang), String(s.documents.length)]);
  return rows;
}

/** A size in bytes for people: "850 B", "12,3 KB", "1,5 MB" (pure, tested). */
export function sizeText(bytes, lang = getLang()) {
  const n = Number(bytes) || 0;
  const fmt = (x) => x.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${fmt(n / 1024)} KB`;
  return `${fmt(n / 1024 / 1024)} MB`;
}

/** Rows for a web page's request (BridgeConfirmation): the site, the call, the file, and the
 * number/date the page sent (from the summary's document). */
export function bridgeRows(b, s, lang = getLang()) {
  const rows = [
    [t('pin.bridgeSite', {}, lang), b.origin],
    [t('pin.bridgeAction', {}, lang), `${lang === 'vi' ? b.actionVi : b.actionEn} (${b.endpoint})`],
    [t('pin.bridgeFile', {}, lang), b.fileName],
    [t('pin.bridgeSize', {}, lang), sizeText(b.size, lang)],
  ];
  const d = s && s.documents && s.documents[0];
  if (d && d.docNumber) rows.push([t('pin.bridgeNumber', {}, lang), d.docNumber]);
  if (d && d.docDate) rows.push([t('pin.bridgeDate', {}, lang), formatDate(d.docDate)]);
  return rows;
}
