// What the PIN window says will be signed, as [label, value] rows (pure, tested).
import { t, getLang } from './i18n.js';

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
