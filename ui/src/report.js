// Role report: [{ period: "2026-H1" | "2026-H2" | "2026", role, count }] → table rows.
import { t, getLang } from './i18n.js';

const ROLE_ORDER = ['sign', 'seal', 'incoming'];

export function roleLabel(role, lang = getLang()) {
  const key = 'reports.act.' + role;
  const s = t(key, {}, lang);
  return s === key ? String(role) : s;
}

/**
 * Rows { role, label, h1, h2, year } per role, plus a total row; `year` is the
 * core's YYYY period when present, else H1 + H2.
 */
export function reportRows(entries, year, lang = getLang()) {
  const byRole = new Map();
  const get = (role) => {
    if (!byRole.has(role)) byRole.set(role, { role, h1: 0, h2: 0, year: null });
    return byRole.get(role);
  };
  for (const e of entries || []) {
    const period = String(e.period);
    const count = Number(e.count) || 0;
    const row = get(e.role);
    if (period === `${year}-H1`) row.h1 += count;
    else if (period === `${year}-H2`) row.h2 += count;
    else if (period === String(year)) row.year = (row.year || 0) + count;
  }
  const rank = (r) => { const i = ROLE_ORDER.indexOf(r); return i < 0 ? ROLE_ORDER.length : i; };
  const rows = [...byRole.values()]
    .sort((a, b) => rank(a.role) - rank(b.role) || String(a.role).localeCompare(String(b.role)))
    .map((r) => ({ role: r.role, label: roleLabel(r.role, lang), h1: r.h1, h2: r.h2, year: r.year ?? r.h1 + r.h2 }));
  const total = rows.reduce((acc, r) => ({ h1: acc.h1 + r.h1, h2: acc.h2 + r.h2, year: acc.year + r.year }), { h1: 0, h2: 0, year: 0 });
  rows.push({ role: 'total', label: t('reports.total', {}, lang), ...total });
  return rows;
}

/** Quote one CSV field (RFC 4180). */
export function csvField(v) {
  const s = String(v ?? '');
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text of the rows (header in the language), for a preview or copy. */
export function reportCsv(rows, lang = getLang()) {
  const head = [t('reports.role', {}, lang), t('reports.h1', {}, lang), t('reports.h2', {}, lang), t('reports.year.total', {}, lang)];
  const lines = [head, ...rows.map((r) => [r.label, r.h1, r.h2, r.year])];
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export function defaultCsvName(year) {
  return `bao-cao-ky-so-${year}.csv`;
}
