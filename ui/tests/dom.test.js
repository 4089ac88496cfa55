// @vitest-environment jsdom
import { describe, it, expect, beforeEach, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setLang } from '../src/i18n.js';
import { createStampOverlay } from '../src/stamp-overlay.js';
import { verdictBadge, fillCertSelect, chosenCert, signatureList, dateField } from '../src/widgets.js';
import { initErrorBanner, showError, refreshError, clearError } from '../src/notify.js';

const html = readFileSync(resolve(__dirname, '../index.html'), 'utf8');
const q = (id) => document.querySelector(`[data-testid="${id}"]`);
const key = (el, k) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));

let wired = false;
beforeEach(() => {
  setLang('vi', null);
  if (!wired) {
    document.documentElement.innerHTML = html.replace(/<script[^>]*><\/script>/, '');
    initErrorBanner();
    wired = true;
  }
});

const pinHtml = readFileSync(resolve(__dirname, '../pin.html'), 'utf8');

describe('index.html', () => {
  it('has the navigation and banners, and no PIN field at all', () => {
    for (const id of ['nav-sign', 'nav-clerk', 'nav-inbox', 'nav-archive', 'nav-devices', 'nav-reports', 'nav-bridge', 'lang-toggle', 'error-banner', 'expiry-banner']) {
      expect(q(id), id).not.toBeNull();
    }
    // The PIN is typed only in the PIN window (pin.html), which this page cannot script.
    expect(document.querySelector('input[type="password"]')).toBeNull();
    expect(q('pin-dialog')).toBeNull();
    expect(html).not.toMatch(/https?:\/\//); // nothing remote
  });
});

describe('pin.html (the PIN window)', () => {
  it('has the summary, the tries, a password input and its buttons, nothing remote', () => {
    const doc = new DOMParser().parseFromString(pinHtml, 'text/html');
    const p = (id) => doc.querySelector(`[data-testid="${id}"]`);
    for (const id of ['pin-window', 'pin-summary', 'pin-tries', 'pin-form', 'pin-input', 'pin-ok', 'pin-cancel', 'pin-error', 'pin-bridge', 'pin-preview']) expect(p(id), id).not.toBeNull();
    expect(p('pin-input').type).toBe('password');
    expect(p('pin-input').getAttribute('autocomplete')).toBe('off');
    expect(pinHtml).toMatch(/src="\.\/src\/pin-window\.js"/);
    expect(pinHtml).not.toMatch(/https?:\/\//);
  });
});

describe('error banner', () => {
  it('shows the AppError text and follows the language', () => {
    showError({ kind: 'token_removed', vi: 'Thiết bị đã bị rút ra.', en: 'The token was removed.' });
    expect(q('error-banner').hidden).toBe(false);
    expect(q('error-banner').textContent).toContain('Thiết bị đã bị rút ra.');
    setLang('en', null);
    refreshError();
    expect(q('error-banner').textContent).toContain('The token was removed.');
    clearError();
    expect(q('error-banner').hidden).toBe(true);
  });
});

describe('stamp overlay', () => {
  const vp = { width: 840, height: 1188 };
  const A4 = [210, 297];
  it('is placed from mm and reports the dragged top-left in mm, clamped', () => {
    const onMove = vi.fn();
    const o = createStampOverlay({ onMove });
    document.body.append(o.el);
    o.update({ boxMm: [120, 200, 40, 20], pageSizeMm: A4, viewport: vp });
    expect(o.el.style.left).toBe('480px');
    expect(o.el.style.top).toBe('800px');
    expect(o.el.style.width).toBe('160px');
    o.el.dispatchEvent(new MouseEvent('pointerdown', { clientX: 500, clientY: 500, button: 0, bubbles: true }));
    o.el.dispatchEvent(new MouseEvent('pointermove', { clientX: 540, clientY: 420, bubbles: true }));
    o.el.dispatchEvent(new MouseEvent('pointerup', { clientX: 540, clientY: 420, bubbles: true }));
    expect(onMove).toHaveBeenCalledWith([130, 180]);
    o.el.dispatchEvent(new MouseEvent('pointerdown', { clientX: 0, clientY: 0, button: 0, bubbles: true }));
    o.el.dispatchEvent(new MouseEvent('pointermove', { clientX: 99999, clientY: 99999, bubbles: true }));
    o.el.dispatchEvent(new MouseEvent('pointerup', { bubbles: true }));
    expect(onMove).toHaveBeenLastCalledWith([170, 277]);
  });
  it('a click without moving does not move the stamp; no box hides it', () => {
    const onMove = vi.fn();
    const o = createStampOverlay({ onMove });
    o.update({ boxMm: [10, 10, 40, 20], pageSizeMm: A4, viewport: vp });
    o.el.dispatchEvent(new MouseEvent('pointerdown', { clientX: 5, clientY: 5, button: 0 }));
    o.el.dispatchEvent(new MouseEvent('pointerup', {}));
    expect(onMove).not.toHaveBeenCalled();
    o.update({ boxMm: null });
    expect(o.el.hidden).toBe(true);
  });
});

describe('stamp box of a signed document', () => {
  it('is shown, not movable', () => {
    const onMove = vi.fn();
    const o = createStampOverlay({ onMove });
    o.update({ boxMm: [10, 10, 40, 20], pageSizeMm: [210, 297], viewport: { width: 840, height: 1188 } });
    o.setDraggable(false);
    expect(o.el.classList.contains('fixed')).toBe(true);
    o.el.dispatchEvent(new MouseEvent('pointerdown', { clientX: 5, clientY: 5, button: 0 }));
    o.el.dispatchEvent(new MouseEvent('pointermove', { clientX: 50, clientY: 50 }));
    o.el.dispatchEvent(new MouseEvent('pointerup', {}));
    key(o.el, 'ArrowLeft');
    expect(onMove).not.toHaveBeenCalled();
  });
});

describe('widgets', () => {
  it('verdict badge carries text, not only colour', () => {
    const b = verdictBadge({ indication: 'TOTAL_FAILED' });
    expect(b.getAttribute('data-testid')).toBe('verdict-badge');
    expect(b.textContent).toContain('Không hợp lệ');
    expect(b.className).toContain('badge-red');
    expect(verdictBadge('INDETERMINATE').textContent).toContain('Chưa xác định');
  });
  it('certificate select uses tokenLabel|certIdHex values, preferred role first', () => {
    const sel = document.createElement('select');
    const tokens = [{ label: 'VNPT', pinStatus: { tries: 'unknown' }, certificates: [
      { idHex: 'aa', commonName: 'UBND tỉnh X', issuer: 'CN=CA G2', notAfter: '2028-01-01T00:00:00+07:00', role: 'agency', hasKey: true },
      { idHex: 'bb', commonName: 'Nguyễn Văn A', issuer: 'CN=CA G2', notAfter: '2027-05-01T00:00:00+07:00', role: 'personal', hasKey: true },
    ] }];
    const entries = fillCertSelect(sel, tokens, 'personal');
    expect([...sel.options].map((o) => o.value)).toEqual(['VNPT|bb', 'VNPT|aa']);
    expect(sel.options[0].textContent).toBe('Nguyễn Văn A — CA G2 — hết hạn 01/05/2027');
    sel.value = 'VNPT|aa';
    expect(chosenCert(sel, entries)).toMatchObject({ tokenLabel: 'VNPT', certIdHex: 'aa' });
    expect(fillCertSelect(sel, [], 'agency')).toEqual([]);
    expect(sel.disabled).toBe(true);
  });
  it('date field shows and takes day/month/year (06/12/2026 is 6 December)', () => {
    const seen = [];
    const f = dateField({ testid: 'd', iso: '2026-12-06', onChange: (iso, text) => seen.push([iso, text]) });
    expect(f.type).toBe('text');
    expect(f.value).toBe('06/12/2026');
    f.value = '6/12/2026';
    f.dispatchEvent(new Event('input'));
    expect(seen.at(-1)).toEqual(['2026-12-06', '6/12/2026']);
    f.dispatchEvent(new Event('blur'));
    expect(f.value).toBe('06/12/2026');
    expect(f.dataset.iso).toBe('2026-12-06');
    f.value = '31/02/2026';
    f.dispatchEvent(new Event('input'));
    expect(seen.at(-1)).toEqual([null, '31/02/2026']);
    expect(f.getAttribute('aria-invalid')).toBe('true');
  });
  it('signature list shows one sig-verdict per signature', () => {
    const list = signatureList({ signatures: [
      { index: 1, signer: { commonName: 'A' }, indication: 'TOTAL_PASSED', messageVi: 'Hợp lệ.' },
      { index: 2, signer: { commonName: 'B' }, indication: 'TOTAL_FAILED', messageVi: 'Sai.' },
    ] });
    const badges = list.querySelectorAll('[data-testid="sig-verdict"]');
    expect(badges.length).toBe(2);
    expect(badges[1].textContent).toContain('Không hợp lệ');
  });
});

describe('Lưu trữ → Gia hạn dấu thời gian lưu trữ', () => {
  it('calls extend_archive and reports extended and failed documents in the chosen language', async () => {
    const { setBackend } = await import('../src/api.js');
    const { createArchiveScreen } = await import('../src/screens/archive.js');
    const calls = [];
    setBackend({
      invoke: async (cmd, args) => {
        calls.push([cmd, args]);
        if (cmd === 'search_archive') return [];
        if (cmd === 'extend_archive') {
          return [
            { id: 1, fileName: 'qd-1.pdf', expires: null, result: 'extended', sha256Before: 'a'.repeat(64), sha256After: 'b'.repeat(64), archivePath: 'archive/bb/x.pdf', errorVi: null, errorEn: null },
            { id: 2, fileName: 'qd-2.pdf', expires: '2026-12-20T00:00:00+07:00', result: 'failed', sha256Before: 'c'.repeat(64), sha256After: null, archivePath: null, errorVi: 'Không kết nối được máy chủ', errorEn: 'TSA unreachable' },
            { id: 3, fileName: 'qd-3.pdf', expires: '2034-01-01T00:00:00+07:00', result: 'not_due', sha256Before: 'd'.repeat(64), sha256After: null, archivePath: null, errorVi: null, errorEn: null },
          ];
        }
        throw new Error(`unexpected ${cmd}`);
      },
      listen: async () => () => {},
    });
    const screen = createArchiveScreen();
    document.body.append(screen.el);
    screen.render();
    const btn = screen.el.querySelector('[data-testid="extend-archive-button"]');
    expect(btn.textContent).toBe('Gia hạn dấu thời gian lưu trữ');
    btn.click();
    await vi.waitFor(() => expect(screen.el.querySelector('[data-testid="archive-notice"]').hidden).toBe(false));
    const notice = screen.el.querySelector('[data-testid="archive-notice"]').textContent;
    expect(notice).toContain('1/2');
    expect(notice).toContain('qd-2.pdf: Không kết nối được máy chủ');
    expect(calls.map((c) => c[0])).toEqual(['extend_archive']);
    setBackend(null);
    screen.el.remove();
  });
});

describe('Thiết bị → unblock, renewed certificate, handover (issue 13)', () => {
  const pin = { tries: 'locked', countLow: false, finalTry: false, locked: true, soLocked: false, soTries: 'low', toBeChanged: false, initialized: true, loginRequired: true, protectedAuthenticationPath: false };
  const token = { module: '/usr/lib/softhsm/libsofthsm2.so', label: 'KYSO-TEST', serial: 'be66', pinStatus: pin, certificates: [], error: null };

  async function screenWith(handler) {
    const { setBackend } = await import('../src/api.js');
    const { createDevicesScreen } = await import('../src/screens/devices.js');
    const calls = [];
    setBackend({
      invoke: async (cmd, args) => {
        calls.push([cmd, args]);
        if (cmd === 'stamp_images') return { signature: null, seal: null };
        if (cmd === 'list_tokens') return [token];
        if (cmd === 'bridge_status') return { state: 'listening', address: 'wss://127.0.0.1:8987', error: null, allowOrigins: [], caPath: null, certificates: { personal: null, agency: null } };
        return handler(cmd, args);
      },
      listen: async () => () => {},
    });
    const screen = createDevicesScreen();
    document.body.append(screen.el);
    await screen.show();
    await vi.waitFor(() => expect(screen.el.querySelector('[data-testid="token-card"]')).not.toBeNull());
    return { screen, calls, done: () => { setBackend(null); screen.el.remove(); } };
  }
  const $ = (root, id) => root.querySelector(`[data-testid="${id}"]`);

  it('shows the unblock code state; a locked code shows the recovery request, no PIN field anywhere', async () => {
    const { screen, calls, done } = await screenWith((cmd) => {
      if (cmd === 'unblock_token') return { state: 'soLocked', request: { pdf: '/d/de-nghi.pdf', txt: '/d/de-nghi.txt', text: 'ĐỀ NGHỊ KHÔI PHỤC\nSố sê-ri: be66', tokenSerial: 'be66' } };
      throw new Error(`unexpected ${cmd}`);
    });
    expect($(screen.el, 'so-state').textContent).toContain('Mã mở khóa: đã có lần nhập sai');
    $(screen.el, 'unblock-button').click();
    await vi.waitFor(() => expect($(screen.el, 'recovery-request').hidden).toBe(false));
    expect($(screen.el, 'recovery-text').textContent).toContain('be66');
    expect($(screen.el, 'recovery-pdf').textContent).toBe('/d/de-nghi.pdf');
    expect(calls.find((c) => c[0] === 'unblock_token')[1]).toEqual({ tokenLabel: 'KYSO-TEST' });
    expect(screen.el.querySelector('input[type="password"]')).toBeNull();
    done();
  });

  it('imports the picked certificate by handle and makes a handover record from the form', async () => {
    const { screen, calls, done } = await screenWith((cmd, args) => {
      if (cmd === 'pick_certificate') return { handle: 'ab'.repeat(16), name: 'gia-han.p7b' };
      if (cmd === 'import_certificate') return { tokenLabel: 'KYSO-TEST', id: '01', label: 'x', subject: 'CN=Nguyễn Văn An', notAfter: '2028-12-05T00:00:00+07:00', written: true, caWritten: [], removed: [] };
      if (cmd === 'create_handover') return { document: { id: 7, currentPath: '/d/bien-ban-ban-giao-be66-2026-12-06.pdf' }, handover: { id: 1, ...args.request } };
      throw new Error(`unexpected ${cmd}`);
    });
    $(screen.el, 'import-cert-button').click();
    await vi.waitFor(() => expect(screen.el.querySelector('.notice').textContent).toContain('Đã ghi chứng thư số CN=Nguyễn Văn An'));
    expect(calls.find((c) => c[0] === 'import_certificate')[1]).toEqual({ tokenLabel: 'KYSO-TEST', file: 'ab'.repeat(16), removeOld: false });
    $(screen.el, 'handover-button').click();
    const form = $(screen.el, 'handover-form');
    expect(form).not.toBeNull();
    $(form, 'handover-from').value = ' Nguyễn Văn An ';
    $(form, 'handover-to').value = 'Trần Thị Bình';
    $(form, 'handover-date').value = '2026-12-06';
    $(form, 'handover-create').click();
    await vi.waitFor(() => expect(screen.el.querySelector('.notice').textContent).toContain('bien-ban-ban-giao-be66-2026-12-06.pdf'));
    expect(calls.find((c) => c[0] === 'create_handover')[1]).toEqual({ request: { tokenLabel: 'KYSO-TEST', from: 'Nguyễn Văn An', to: 'Trần Thị Bình', witness: null, date: '2026-12-06' } });
    expect($(screen.el, 'handover-form')).toBeNull();
    done();
  });
});

describe('Ký → the right signer for the block', () => {
  it('asks naming both people; OK and Cancel answer', async () => {
    const { nameMismatchQuestion } = await import('../src/screens/sign.js');
    const { confirmDialog } = await import('../src/confirm.js');
    expect(nameMismatchQuestion({ kind: 'pin_incorrect' })).toBe(null);
    const q = nameMismatchQuestion({ kind: 'name_mismatch', vi: '', en: '', nameConflict: { blockName: 'Nguyễn Văn An', holder: 'Trần Thị Bình', delegation: 'KT.' } });
    expect(q.message).toContain('Nguyễn Văn An');
    expect(q.message).toContain('Trần Thị Bình');
    expect(q.message).toContain('KT.');
    let answer = confirmDialog(q);
    expect(q.testid).toBe('name-mismatch-dialog');
    expect(q.details.map((d) => d[1])).toEqual(['Nguyễn Văn An', 'Trần Thị Bình']);
    document.querySelector('[data-testid="confirm-cancel"]').click();
    expect(await answer).toBe(false);
    expect(document.querySelector('[data-testid="name-mismatch-dialog"]')).toBeNull();
    answer = confirmDialog(q);
    document.querySelector('[data-testid="confirm-ok"]').click();
    expect(await answer).toBe(true);
    answer = confirmDialog(q);
    key(document.body, 'Escape');
    expect(await answer).toBe(false);
  });
});

describe('Báo cáo → handovers', () => {
  it('lists the year\'s handovers', async () => {
    const { setBackend } = await import('../src/api.js');
    const { createReportsScreen } = await import('../src/screens/reports.js');
    setBackend({
      invoke: async (cmd) => {
        if (cmd === 'role_report') return [];
        if (cmd === 'list_handovers') return [{ id: 1, documentId: 9, tokenLabel: 'VAN-THU', tokenSerial: 'be66', tokenModel: 'SoftHSM v2', fromName: 'Lê Văn Cường', toName: 'Phạm Thị Dung', witness: null, handoverDate: '2026-06-01' }];
        throw new Error(`unexpected ${cmd}`);
      },
      listen: async () => () => {},
    });
    const screen = createReportsScreen();
    document.body.append(screen.el);
    await screen.show();
    const rows = screen.el.querySelectorAll('[data-testid="handover-row"]');
    expect(rows.length).toBe(1);
    expect(rows[0].textContent).toContain('Phạm Thị Dung');
    expect(rows[0].textContent).toContain('VAN-THU (be66)');
    setBackend(null);
    screen.el.remove();
  });
});

describe('E-office (the bridge)', () => {
  it('shows the listening address, the documents with their site, and sends a failed upload again', async () => {
    const { setBackend } = await import('../src/api.js');
    const { createBridgeScreen } = await import('../src/screens/bridge.js');
    const doc = { id: 4, role: 'seal', status: 'sealed', title: 'Thông báo', fileName: 'tb.pdf', sourcePath: '/d/tb.pdf', currentPath: '/d/tb.sealed.pdf', sha256: 'ab', docNumber: '4/TB', docDate: '2026-12-06', signers: null, verdict: null, verdictReason: null, archivePath: null, createdAt: '2026-12-06T08:00:00+07:00', updatedAt: '2026-12-06T08:00:00+07:00' };
    let row = { doc, origin: 'https://qlvb.example.gov.vn', endpoint: 'SignIssued', receivedAt: '2026-12-06T08:00:00+07:00', upload: 'failed', detail: 'upload failed: HTTP 500', canRetry: true };
    const calls = [];
    setBackend({
      invoke: async (cmd, args) => {
        calls.push([cmd, args]);
        if (cmd === 'bridge_status') return { state: 'listening', address: 'wss://127.0.0.1:8987', error: null, allowOrigins: ['https://qlvb.example.gov.vn'], caPath: '/d/bridge/ca.pem', certificates: { personal: null, agency: null } };
        if (cmd === 'bridge_documents') return [row];
        if (cmd === 'start_at_login') return false;
        if (cmd === 'set_start_at_login') return args.enabled;
        if (cmd === 'retry_upload') { row = { ...row, upload: 'uploaded', detail: null, canRetry: false }; return { fileName: 'tb.pdf', fileServer: '/f', message: 'Đã nhận tệp.' }; }
        throw new Error(`unexpected ${cmd}`);
      },
      listen: async () => () => {},
    });
    const screen = createBridgeScreen();
    document.body.append(screen.el);
    await screen.show();
    const $ = (id) => screen.el.querySelector(`[data-testid="${id}"]`);
    expect($('bridge-state').textContent).toBe('Đang nhận yêu cầu ký tại wss://127.0.0.1:8987');
    expect($('bridge-allowed').textContent).toBe('https://qlvb.example.gov.vn');
    expect($('start-at-login').checked).toBe(false);
    $('start-at-login').checked = true;
    $('start-at-login').dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(calls.some((c) => c[0] === 'set_start_at_login' && c[1].enabled === true)).toBe(true));
    await vi.waitFor(() => expect($('start-at-login').checked).toBe(true));
    expect($('bridge-origin').textContent).toBe('https://qlvb.example.gov.vn');
    expect($('bridge-upload').textContent).toContain('Gửi lại');
    $('bridge-retry').click();
    await vi.waitFor(() => expect($('bridge-notice').hidden).toBe(false));
    expect($('bridge-notice').textContent).toContain('Đã nhận tệp.');
    expect($('bridge-retry')).toBeNull();
    expect($('bridge-upload').textContent).toBe('Đã gửi');
    expect(calls.filter((c) => c[0] === 'retry_upload')).toEqual([['retry_upload', { id: 4 }]]);
    // A bridge that could not start says why (the program holding the port).
    screen.setStatus({ state: 'failed', address: null, error: { kind: 'port_in_use', vi: '127.0.0.1:8987 đang bị chương trình VGCASignService (PID 42) chiếm.', en: 'held', pinTries: null }, allowOrigins: [], caPath: null, certificates: { personal: null, agency: null } });
    expect(screen.el.querySelector('[data-testid="bridge-status"]').dataset.state).toBe('failed');
    expect($('bridge-error').textContent).toContain('VGCASignService (PID 42)');
    setBackend(null);
    screen.el.remove();
  });
});
