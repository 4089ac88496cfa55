import { describe, it, expect, beforeEach } from 'vitest';
import { t, setLang, detectLang, STRINGS } from '../src/i18n.js';
import { verdictOf, reasonOf, formatDateTime, formatDate, todayVN, parseDateVN, localiseDates, fileName, errorText, signatureDetails, hasInvalidSignature, statusLabel, issuerName } from '../src/format.js';
import { scaleOf, mmToPx, pxToMm, clampBox, dragTo, fitScale } from '../src/geometry.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { initBatch, batchReducer, batchCounts, batchPercent, batchLines } from '../src/batch.js';
import { triesOf, triesInfo, changePinProblem } from '../src/pin.js';
import { summaryRows, bridgeRows, sizeText } from '../src/pin-summary.js';
import { contractProblem } from '../src/api.js';
import { commands } from '../src/commands.js';
import { expiryWarning, daysLeftOf, certValue, parseCertValue, signingCerts, sortForRole, expiryBannerText } from '../src/certs.js';
import { normaliseNumber, isValidNumber, isValidDate, numberProblem, dateProblem, rangeProblem, batchProblems, isValidYear } from '../src/validate.js';
import { reportRows, reportCsv, csvField } from '../src/report.js';

const memStorage = () => { const m = new Map(); return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)) }; };

beforeEach(() => setLang('vi', null));

describe('i18n', () => {
  it('every string has a Vietnamese and an English text', () => {
    for (const [k, v] of Object.entries(STRINGS)) {
      expect(Array.isArray(v) && v.length === 2, k).toBe(true);
      expect(v[0].length > 0 && v[1].length > 0, k).toBe(true);
    }
  });
  it('fills parameters and switches language', () => {
    expect(t('sign.page', { n: 2, total: 5 })).toBe('Trang 2/5');
    setLang('en', null);
    expect(t('sign.page', { n: 2, total: 5 })).toBe('Page 2 of 5');
  });
  it('remembers the choice in storage and defaults to Vietnamese', () => {
    const st = memStorage();
    expect(detectLang(st)).toBe('vi');
    setLang('en', st);
    expect(detectLang(st)).toBe('en');
    st.setItem('kyso.lang', 'fr');
    expect(detectLang(st)).toBe('vi');
  });
});

describe('verdicts and text', () => {
  it('maps indications to label and colour', () => {
    expect(verdictOf({ indication: 'TOTAL_PASSED' })).toMatchObject({ key: 'valid', label: 'Hợp lệ', colour: 'green' });
    expect(verdictOf({ indication: 'TOTAL_FAILED' })).toMatchObject({ label: 'Không hợp lệ', colour: 'red' });
    expect(verdictOf('INDETERMINATE')).toMatchObject({ label: 'Chưa xác định', colour: 'amber' });
    expect(verdictOf('INDETERMINATE', 'en').label).toBe('Indeterminate');
    expect(verdictOf(null).key).toBe('unknown');
  });
  it('reads a verdict from a Doc (verdict or status)', () => {
    expect(verdictOf({ verdict: 'TOTAL_FAILED', status: 'rejected' }).key).toBe('invalid');
    expect(verdictOf({ status: 'valid', verdict: null }).key).toBe('valid');
  });
  it('takes the reason in the chosen language', () => {
    const r = { messageVi: 'Chữ ký hợp lệ.', messageEn: 'Valid.' };
    expect(reasonOf(r, 'vi')).toBe('Chữ ký hợp lệ.');
    expect(reasonOf(r, 'en')).toBe('Valid.');
    expect(reasonOf({ messageVi: 'Chỉ tiếng Việt' }, 'en')).toBe('Chỉ tiếng Việt');
  });
  it('shows the AppError text in the chosen language', () => {
    const e = { kind: 'pin_incorrect', vi: 'Mã PIN không đúng.', en: 'Wrong PIN.', pinTries: 'low' };
    expect(errorText(e, 'vi')).toBe('Mã PIN không đúng.');
    expect(errorText(e, 'en')).toBe('Wrong PIN.');
    expect(errorText(new Error('boom'), 'en')).toContain('boom');
    expect(errorText('plain')).toBe('plain');
  });
  it('labels statuses', () => {
    expect(statusLabel('rejected')).toBe('Đã từ chối');
    expect(statusLabel('sealed', 'en')).toBe('Sealed');
    expect(statusLabel('weird')).toBe('weird');
  });
});

describe('dates in Vietnam time', () => {
  it('shows day/month/year and converts UTC instants to +07:00', () => {
    expect(formatDateTime('2026-11-22T02:15:30Z')).toBe('22/11/2026 09:15:30 +07:00');
    expect(formatDateTime('2026-11-22T09:15:30+07:00')).toBe('22/11/2026 09:15:30 +07:00');
  });
  it('crosses midnight into the Vietnamese day', () => {
    expect(formatDate('2026-12-31T18:30:00Z')).toBe('01/01/2027');
    expect(todayVN(new Date('2026-03-01T17:00:00Z'))).toBe('2026-03-02');
    expect(formatDate('2026-11-22')).toBe('22/11/2026');
  });
  it('shows 6 December 2026 as 06/12/2026 whatever the locale', () => {
    expect(formatDate('2026-12-06')).toBe('06/12/2026');
    expect(formatDate('2026-12-06T00:30:00+07:00')).toBe('06/12/2026');
  });
  it('takes dates typed as day/month/year, never month/day', () => {
    expect(parseDateVN('06/12/2026')).toBe('2026-12-06');
    expect(parseDateVN(' 6/12/2026 ')).toBe('2026-12-06');
    expect(parseDateVN('6-12-2026')).toBe('2026-12-06');
    expect(parseDateVN('06.12.2026')).toBe('2026-12-06');
    expect(parseDateVN('12/31/2026')).toBe(null); // no 31st month
    expect(parseDateVN('29/02/2026')).toBe(null);
    expect(parseDateVN('29/02/2024')).toBe('2024-02-29');
    expect(parseDateVN('2026-12-06')).toBe(null);
    expect(parseDateVN('')).toBe(null);
  });
  it('rewrites ISO dates inside sentences from the core, not inside file names', () => {
    expect(localiseDates('Chứng thư hết hạn ngày 2026-11-22T09:15:30+07:00.')).toBe('Chứng thư hết hạn ngày 22/11/2026 09:15:30 +07:00.');
    expect(localiseDates('judged at 2026-11-22T02:15:30Z (now)')).toBe('judged at 22/11/2026 09:15:30 +07:00 (now)');
    expect(localiseDates('ngày 2026-12-06, xong')).toBe('ngày 06/12/2026, xong');
    expect(localiseDates('đã lưu bao-cao-2026-11-22.csv')).toBe('đã lưu bao-cao-2026-11-22.csv');
    expect(localiseDates('/home/vt/2026-11-22/a.pdf')).toBe('/home/vt/2026-11-22/a.pdf');
    expect(reasonOf({ messageVi: 'Ký lúc 2026-11-20T08:15:30+07:00.' })).toBe('Ký lúc 20/11/2026 08:15:30 +07:00.');
  });
  it('leaves garbage visible rather than inventing a date', () => {
    expect(formatDateTime('not a date')).toBe('not a date');
    expect(formatDateTime(null)).toBe('');
  });
  it('takes the file name from Windows and POSIX paths', () => {
    expect(fileName('C:\\Users\\vt\\qd-12.signed.pdf')).toBe('qd-12.signed.pdf');
    expect(fileName('/home/vt/qd 12.pdf')).toBe('qd 12.pdf');
  });
});

describe('signature details', () => {
  const sig = {
    index: 1, signer: { commonName: 'Nguyễn Văn A', issuer: 'CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN' },
    signingTime: '2026-11-20T01:15:30Z', coverage: { coverage: 'WHOLE_REVISION', revision: 0 },
    indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE', messageVi: 'Nội dung đã bị thay đổi.', messageEn: 'Changed.',
  };
  it('lists signer, time, coverage, sub-indication, sentence', () => {
    const rows = Object.fromEntries(signatureDetails(sig, 'vi'));
    expect(rows['Người ký']).toBe('Nguyễn Văn A');
    expect(rows['Nơi cấp chứng thư']).toBe('CA phục vụ các cơ quan Nhà nước G2');
    expect(rows['Thời gian ký (người ký tự ghi)']).toBe('20/11/2026 08:15:30 +07:00');
    expect(rows['Phạm vi ký']).toMatch(/Toàn bộ bản đã ký/);
    expect(rows['Mã lý do']).toBe('HASH_FAILURE');
    expect(rows['Kết luận']).toBe('Nội dung đã bị thay đổi.');
  });
  it('shows each time-stamp with its own result and what the certificate was judged at', () => {
    const ts = {
      ...sig,
      timestamps: [{ kind: 'signature', status: 'untrusted', genTime: '2024-06-01T19:00:00+07:00', messageVi: 'Đơn vị cấp dấu thời gian không được tin cậy.', messageEn: 'Untrusted TSA.' }],
      validationTime: { time: '2026-12-06T09:00:00+07:00', basis: 'now' },
    };
    const rows = Object.fromEntries(signatureDetails(ts, 'vi'));
    expect(rows['Dấu thời gian']).toBe('Đơn vị cấp dấu thời gian không được tin cậy.');
    expect(rows['Kiểm tra chứng thư tại']).toMatch(/không có dấu thời gian hợp lệ/);
    const en = Object.fromEntries(signatureDetails(ts, 'en'));
    expect(en['Time-stamp']).toBe('Untrusted TSA.');
    expect(en['Certificate judged at']).toMatch(/now: no valid time-stamp/);
  });
  it('refuses sealing only over an invalid signature', () => {
    expect(hasInvalidSignature({ indication: 'TOTAL_FAILED', subIndication: 'NOT_SIGNED', signatures: [] })).toBe(false);
    expect(hasInvalidSignature({ signatures: [{ indication: 'TOTAL_PASSED' }, { indication: 'INDETERMINATE' }] })).toBe(false);
    expect(hasInvalidSignature({ signatures: [{ indication: 'TOTAL_PASSED' }, sig] })).toBe(true);
    expect(hasInvalidSignature(null)).toBe(false);
  });
  it('shortens a distinguished-name issuer to its CN', () => {
    expect(issuerName('C=VN, O=BCY, CN=CA G2')).toBe('CA G2');
    expect(issuerName('Some CA')).toBe('Some CA');
  });
});

describe('stamp geometry', () => {
  const A4 = [210, 297];
  const vp = { width: 840, height: 1188 }; // 4 px per mm
  it('converts mm boxes to px and back', () => {
    expect(scaleOf(vp, A4)).toEqual({ x: 4, y: 4 });
    expect(mmToPx([120, 200, 40, 20], vp, A4)).toEqual({ left: 480, top: 800, width: 160, height: 80 });
    expect(pxToMm(480, 800, vp, A4)).toEqual([120, 200]);
  });
  it('handles landscape pages with different axis scales', () => {
    const land = { width: 1188, height: 840 };
    const px = mmToPx([10, 10, 10, 10], land, [297, 210]);
    expect(px.left).toBeCloseTo(40);
    expect(px.height).toBeCloseTo(40);
  });
  it('keeps the box inside the page', () => {
    expect(clampBox(-5, -5, 40, 20, A4)).toEqual([0, 0]);
    expect(clampBox(200, 290, 40, 20, A4)).toEqual([170, 277]);
    expect(clampBox(50, 60, 40, 20, A4)).toEqual([50, 60]);
  });
  it('drags by pixels and clamps', () => {
    expect(dragTo([100, 100, 40, 20], 40, -80, vp, A4)).toEqual([110, 80]);
    expect(dragTo([100, 100, 40, 20], 10000, 10000, vp, A4)).toEqual([170, 277]);
    expect(dragTo([100, 100, 40, 20], -10000, 0, vp, A4)).toEqual([0, 100]);
  });
  it('refuses an empty page size', () => {
    expect(() => scaleOf(vp, [0, 297])).toThrow();
  });
  it('fits the page width into the container', () => {
    expect(fitScale(595, 1190)).toBe(2);
    expect(fitScale(595, 100)).toBe(0.5);
    expect(fitScale(0, 100)).toBe(1);
  });
});

// The core's own answers (tests/office.rs writes them from real batches on a SoftHSM2
// token and fails when these files are stale): the UI is tested on what it really gets.
const fixture = (name) => JSON.parse(readFileSync(resolve(__dirname, 'fixtures', `${name}.json`), 'utf8'));

function replay(name) {
  const f = fixture(name);
  let s = initBatch(f.results.map((r) => r.id));
  for (const p of f.progress) s = batchReducer(s, { type: 'progress', payload: p });
  return { f, s: batchReducer(s, { type: 'results', results: f.results }) };
}

describe('batch progress (real core results)', () => {
  it('a cancelled batch: the first sealed, the rest pending — not failed', () => {
    const { f, s } = replay('batch-cancelled');
    expect(f.results.map((r) => r.state)).toEqual(['done', 'pending', 'pending']);
    expect(f.progress.map((p) => p.state)).toEqual(['running', 'done', 'pending', 'pending']);
    expect(s.order.map((id) => s.items[id].state)).toEqual(['done', 'pending', 'pending']);
    expect(batchCounts(s)).toMatchObject({ done: 1, failed: 0, pending: 2 });
    const lines = batchLines(s, 'vi');
    expect(lines[1].label).toMatch(/vẫn chờ/);
    expect(lines.map((l) => l.message)).toEqual(['', '', '']);
  });
  it('the helper dies mid-batch: sealed, sealed, failed with its reason, pending', () => {
    const { f, s } = replay('batch-helper-died');
    expect(f.results.map((r) => r.state)).toEqual(['done', 'done', 'failed', 'pending']);
    expect(s.order.map((id) => s.items[id].state)).toEqual(['done', 'done', 'failed', 'pending']);
    const lines = batchLines(s, 'en');
    expect(lines[2].message).toMatch(/token/i);
    for (const l of lines) expect(l.message).not.toMatch(/object Object/);
    expect(batchPercent(s)).toBe(75);
  });
  it('a failed progress event shows the core error as text', () => {
    const { f } = replay('batch-helper-died');
    let s = initBatch(f.results.map((r) => r.id));
    for (const p of f.progress) s = batchReducer(s, { type: 'progress', payload: p });
    const failed = batchLines(s, 'vi').find((l) => l.state === 'failed');
    expect(failed.message.length).toBeGreaterThan(10);
    expect(failed.message).not.toMatch(/object Object/);
  });
  it('ignores events for unknown ids and unknown states', () => {
    const s0 = initBatch([1]);
    expect(batchReducer(s0, { type: 'progress', payload: { id: 9, state: 'done' } })).toBe(s0);
    expect(batchReducer(s0, { type: 'progress', payload: { id: 1, state: 'exploded' } })).toBe(s0);
  });
  it('a wholesale failure leaves everything not done pending', () => {
    let s = initBatch([1, 2]);
    s = batchReducer(s, { type: 'progress', payload: { id: 1, index: 0, total: 2, state: 'running', error: null } });
    s = batchReducer(s, { type: 'error', error: { kind: 'token_absent', vi: 'x', en: 'x', pinTries: null } });
    expect(s.items[1].state).toBe('pending');
    expect(s.items[2].state).toBe('pending');
    expect(batchPercent(s)).toBe(0);
  });
});

describe('PIN tries (one enum: PinTries)', () => {
  it('reads an AppError pinTries and a token pinStatus alike', () => {
    expect(triesOf('low')).toBe('low');
    expect(triesOf({ tries: 'finalTry', countLow: false, finalTry: true, locked: false })).toBe('finalTry');
    expect(triesOf('few')).toBe(null); // not a PinTries
    expect(triesOf(null)).toBe(null);
  });
  it('turns tries into a message and blocks a locked token', () => {
    expect(triesInfo('finalTry').message).toMatch(/lần thử cuối cùng/);
    expect(triesInfo('finalTry', 'en').message).toMatch(/final try/);
    expect(triesInfo('low').message).toMatch(/còn ít lần thử/);
    expect(triesInfo('locked').blocked).toBe(true);
    expect(triesInfo('low').blocked).toBe(false);
    expect(triesInfo(undefined).message).toBe('');
  });
  it('checks the change-PIN form', () => {
    expect(changePinProblem('', '123456', '123456')).toMatch(/nhập mã PIN/);
    expect(changePinProblem('1111', '12', '12')).toMatch(/từ 4/);
    expect(changePinProblem('1111', '123456', '123457')).toMatch(/không khớp/);
    expect(changePinProblem('123456', '123456', '123456')).toMatch(/khác/);
    expect(changePinProblem('1111', '123456', '123456')).toBe('');
  });
});

describe('the PIN window summary', () => {
  it('names the role, the certificate, its serial, the token and the count', () => {
    const rows = summaryRows({ role: 'seal', tokenLabel: 'KYSO-TEST', certIdHex: '04', certificate: 'UBND tỉnh X', certSerial: 'AB12', documents: [{}, {}] }, 'vi');
    expect(rows).toEqual([['Ký với tư cách', 'Cơ quan (đóng dấu)'], ['Chứng thư số', 'UBND tỉnh X'], ['Số sê-ri', 'AB12'], ['Thiết bị', 'KYSO-TEST'], ['Số văn bản', '2']]);
  });
});

describe('the PIN window for a web page\'s request (e-office bridge)', () => {
  const b = { origin: 'https://qlvb.example.gov.vn', endpoint: 'SignIssued', actionVi: 'Cấp số và ký số cơ quan để phát hành', actionEn: 'Number and sign as the agency to release', fileName: 'QĐ 12.pdf', size: 12 * 1024 + 300, documentId: 7 };
  it('names the site, the call, the file, its size and the number/date the page sent', () => {
    const s = { role: 'seal', documents: [{ docNumber: '12/QĐ-UBND', docDate: '2026-12-06' }] };
    expect(bridgeRows(b, s, 'vi')).toEqual([
      ['Trang web', 'https://qlvb.example.gov.vn'],
      ['Yêu cầu', 'Cấp số và ký số cơ quan để phát hành (SignIssued)'],
      ['Tệp', 'QĐ 12.pdf'],
      ['Dung lượng', '12,3 KB'],
      ['Số, ký hiệu', '12/QĐ-UBND'],
      ['Ngày văn bản', '06/12/2026'],
    ]);
    expect(bridgeRows(b, { documents: [{}] }, 'en').map((r) => r[0])).toEqual(['Web page', 'Request', 'File', 'Size']);
  });
  it('writes sizes for people', () => {
    expect(sizeText(900, 'en')).toBe('900 B');
    expect(sizeText(1536, 'en')).toBe('1.5 KB');
    expect(sizeText(3 * 1024 * 1024, 'vi')).toBe('3 MB');
  });
});

describe('the contract (generated from the Rust types)', () => {
  it('refuses unknown commands, other windows\' commands, unknown and missing arguments', () => {
    expect(contractProblem('list_documents', { role: 'sign' })).toBe('');
    expect(contractProblem('list_documents', {})).toBe('');
    expect(contractProblem('add_documents', { paths: ['/etc/passwd'], role: 'sign' })).toMatch(/no argument paths/);
    expect(contractProblem('add_documents', { role: 'sign' })).toMatch(/needs files/);
    expect(contractProblem('pin_submit', { pin: '1' })).toMatch(/pin window/);
    expect(contractProblem('read_file', {})).toMatch(/unknown/);
  });
  it('every call in the UI source names a main-window command with its own arguments', () => {
    const dir = resolve(__dirname, '../src');
    const files = ['main.js', 'widgets.js', ...['sign', 'clerk', 'inbox', 'archive', 'devices', 'reports'].map((n) => `screens/${n}.js`)];
    const seen = new Set();
    for (const f of files) {
      const text = readFileSync(resolve(dir, f), 'utf8');
      for (const m of text.matchAll(/call\('([a-z_]+)'(?:,\s*\{([^}]*)\})?/g)) {
        const spec = commands[m[1]];
        expect(spec, `${f}: ${m[1]}`).toBeTruthy();
        expect(spec.window, `${f}: ${m[1]}`).toBe('main');
        seen.add(m[1]);
      }
    }
    expect(seen.size).toBeGreaterThan(20);
  });
  it('the dev mock is built on the same command list', async () => {
    const { mockBackend, mockHandlers } = await import('../src/mock.js');
    const main = Object.values(commands).filter((c) => c.window === 'main').map((c) => c.name).sort();
    expect(Object.keys(mockHandlers()).sort()).toEqual(main);
    await expect(mockBackend().invoke('no_such_command', {})).rejects.toMatchObject({ kind: 'contract' });
  });
});

describe('certificates', () => {
  const now = new Date('2026-11-22T03:00:00Z');
  const cert = (notAfter, extra = {}) => ({ idHex: 'ab', commonName: 'Nguyễn Văn A', issuer: 'CN=CA G2', notAfter, role: 'personal', hasKey: true, ...extra });
  it('warns from 30 days before expiry, not earlier', () => {
    expect(expiryWarning(cert('2027-01-30T00:00:00+07:00'), now)).toBe(null);
    const w = expiryWarning(cert('2026-12-20T00:00:00+07:00'), now);
    expect(w.level).toBe('soon');
    expect(w.days).toBe(27);
    expect(w.message).toMatch(/27 ngày/);
    expect(expiryWarning(cert('x', { daysLeft: 30 }), now).level).toBe('soon');
    expect(expiryWarning(cert('x', { daysLeft: 31 }), now)).toBe(null);
  });
  it('says expired and today', () => {
    expect(expiryWarning(cert('2026-11-01T00:00:00+07:00'), now).level).toBe('expired');
    expect(expiryWarning(cert('2026-11-22T23:00:00+07:00'), now).level).toBe('today');
  });
  it('prefers the core daysLeft', () => {
    expect(daysLeftOf(cert('2030-01-01T00:00:00Z', { daysLeft: 3 }), now)).toBe(3);
  });
  it('encodes option values tokenLabel|certIdHex and parses them back', () => {
    expect(certValue('VNPT Token', '01ab')).toBe('VNPT Token|01ab');
    expect(parseCertValue('a|b|01ab')).toEqual({ tokenLabel: 'a|b', certIdHex: '01ab' });
    expect(parseCertValue('nothing')).toBe(null);
  });
  it('lists certificates with a key, the role wanted first', () => {
    const tokens = [{ label: 'T1', certificates: [cert('2030-01-01', { idHex: '01', role: 'agency', commonName: 'UBND' }), cert('2030-01-01', { idHex: '02' }), cert('2030-01-01', { idHex: '03', hasKey: false })] }];
    const all = signingCerts(tokens);
    expect(all.map((e) => e.value)).toEqual(['T1|01', 'T1|02']);
    expect(sortForRole(all, 'personal')[0].value).toBe('T1|02');
    expect(sortForRole(all, 'agency')[0].value).toBe('T1|01');
  });
  it('builds the start-up banner', () => {
    const text = expiryBannerText([{ ...cert('2026-12-01T00:00:00+07:00'), tokenLabel: 'T1' }], now);
    expect(text).toMatch(/sắp hết hạn/);
    expect(text).toContain('Nguyễn Văn A (T1): 01/12/2026');
    expect(expiryBannerText([], now)).toBe('');
  });
});

describe('validation', () => {
  it('accepts real number/symbol forms', () => {
    for (const n of ['12/QĐ-UBND', '123/2024/NĐ-CP', '05/TTr-SNV', '15/CT-TTg', '7/BC-UBND.VX', 'Số: 45/TB-UBND', '12 / QĐ - UBND']) {
      expect(isValidNumber(n), n).toBe(true);
    }
  });
  it('refuses malformed numbers', () => {
    for (const n of ['QĐ-UBND', '12/', '12-QĐ', '/QĐ', '12/QĐ-', 'abc/QĐ', '12//QĐ']) {
      expect(isValidNumber(n), n).toBe(false);
    }
  });
  it('normalises a typed number', () => {
    expect(normaliseNumber('  Số: 12 / QĐ - UBND ')).toBe('12/QĐ-UBND');
    expect(numberProblem('')).toBe('');
    expect(numberProblem('', { required: true })).not.toBe('');
    expect(numberProblem('xx')).toMatch(/không đúng dạng/);
  });
  it('checks calendar dates', () => {
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2026-13-01')).toBe(false);
    expect(isValidDate('22/11/2026')).toBe(false);
  });
  it('refuses a document date in the future (Vietnam time)', () => {
    const now = new Date('2026-11-22T18:00:00Z'); // already 23 Nov in Vietnam
    expect(dateProblem('2026-11-23', { now })).toBe('');
    expect(dateProblem('2026-11-24', { now })).toMatch(/24\/11\/2026 ở tương lai/);
    expect(dateProblem('24/11/2026', { now })).toMatch(/ngày\/tháng\/năm/);
    expect(dateProblem('', { now })).toBe('');
  });
  it('checks search ranges and years', () => {
    expect(rangeProblem('2026-01-01', '2026-12-31')).toBe('');
    expect(rangeProblem('2026-12-31', '2026-01-01')).not.toBe('');
    expect(rangeProblem('2026-02-30', '')).not.toBe('');
    expect(isValidYear('2026')).toBe(true);
    expect(isValidYear('26')).toBe(false);
  });
  it('finds bad rows and duplicate numbers in a seal batch', () => {
    const now = new Date('2026-11-22T03:00:00Z');
    const p = batchProblems([
      { id: 1, docNumber: '12/QĐ-UBND', docDate: '2026-11-22' },
      { id: 2, docNumber: '12/qđ-ubnd', docDate: '2026-11-22' },
      { id: 3, docNumber: 'bad', docDate: '2026-02-30' },
      { id: 4, docNumber: '', docDate: '2026-11-20' },
    ], now);
    expect(p.map((x) => x.id)).toEqual([2, 3, 3]);
    expect(p[0].message).toMatch(/trùng/);
  });
});

describe('role report', () => {
  const entries = [
    { period: '2026-H1', role: 'seal', count: 11 }, { period: '2026-H2', role: 'seal', count: 8 },
    { period: '2026-H1', role: 'sign', count: 14 }, { period: '2026-H2', role: 'sign', count: 9 },
    { period: '2026', role: 'sign', count: 23 }, { period: '2025-H2', role: 'sign', count: 99 },
  ];
  it('builds one row per role with half-years, year and a total', () => {
    const rows = reportRows(entries, 2026);
    expect(rows.map((r) => r.role)).toEqual(['sign', 'seal', 'total']);
    expect(rows[0]).toMatchObject({ h1: 14, h2: 9, year: 23, label: 'Ký cá nhân (lãnh đạo)' });
    expect(rows[1]).toMatchObject({ h1: 11, h2: 8, year: 19 });
    expect(rows[2]).toMatchObject({ h1: 25, h2: 17, year: 42 });
  });
  it('an empty year still has a zero total', () => {
    expect(reportRows([], 2026)).toEqual([{ role: 'total', label: 'Tổng cộng', h1: 0, h2: 0, year: 0 }]);
  });
  it('writes CSV with quoting', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    const csv = reportCsv(reportRows(entries, 2026, 'en'), 'en');
    expect(csv.split('\r\n')[0]).toBe('Signature type,First half,Second half,Whole year');
    expect(csv).toContain('Total,25,17,42');
  });
});

import { clerkDocs } from '../src/screens/clerk.js';

describe('clerk list', () => {
  it('takes seal documents and leader-signed drafts, not unsigned drafts, newest first', () => {
    const seal = [{ id: 1, role: 'seal', status: 'pending', updatedAt: '2026-11-22T08:00:00+07:00' }];
    const sign = [
      { id: 2, role: 'sign', status: 'pending', updatedAt: '2026-11-22T09:00:00+07:00' },
      { id: 3, role: 'sign', status: 'signed', updatedAt: '2026-11-22T10:00:00+07:00' },
    ];
    expect(clerkDocs(seal, sign).map((d) => d.id)).toEqual([3, 1]);
  });
});

import { fileNameOf } from '../src/screens/devices.js';

describe('devices', () => {
  it('shows the file name of an image path on any OS', () => {
    expect(fileNameOf('/home/vt/.local/share/kyso/images/seal.png')).toBe('seal.png');
    expect(fileNameOf('C:\\Users\\vt\\AppData\\Roaming\\kyso\\images\\signature.png')).toBe('signature.png');
  });
});
