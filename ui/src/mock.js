// DEV ONLY (loaded with ?mock under `vite` dev server): a fake shell so the screens
// can be looked at in a plain browser. Never part of the production build. It is
// built on the generated contract (./commands.js): one handler per main-window
// command, answers in the shapes of ./bindings.d.ts (a test checks the list).
import { contractProblem } from './api.js';

function makePdf(title) {
  const text = `BT /F1 14 Tf 72 770 Td (${title}) Tj 0 -24 Td (Noi dung van ban ...) Tj ET
BT /F1 12 Tf 360 300 Td (GIAM DOC) Tj 0 -90 Td (Nguyen Van A) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
  ];
  let out = '%PDF-1.7\n';
  const offs = [];
  objs.forEach((o, i) => { offs.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offs) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out).buffer;
}

const sig = (ok, name) => ({
  index: 1, field: 'Sig1', signer: { commonName: name, issuer: 'CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN', subject: `CN=${name}` },
  signingTime: '2026-11-20T08:15:30+07:00', coverage: { coverage: 'WHOLE_FILE', revision: 0 },
  indication: ok ? 'TOTAL_PASSED' : 'TOTAL_FAILED', subIndication: ok ? null : 'HASH_FAILURE',
  messageVi: ok ? 'Chữ ký hợp lệ.' : 'Nội dung đã bị thay đổi sau khi ký.', messageEn: ok ? 'The signature is valid.' : 'The content changed after signing.',
});

/** A Preview as the core answers it (the seal over the signature, number and date on page 1). */
function mockPlacement({ role, atMm, page, docNumber, docDate }) {
  const seal = role === 'seal';
  const box = seal ? [108, 118, 36, 36] : [120, 120, 40, 20];
  const filled = [];
  if (seal && docNumber) filled.push([docNumber.split('/')[0], [40, 52, 8, 5]]);
  if (seal && docDate) filled.push([docDate.slice(8, 10), [128, 52, 5, 5]], [docDate.slice(5, 7), [146, 52, 5, 5]]);
  return {
    template: seal ? 'seal' : 'personal', placement: atMm ? 'given' : 'found', page: page || 2,
    boxMm: [atMm ? atMm[0] : box[0], atMm ? atMm[1] : box[1], box[2], box[3]], filled, pageSizeMm: [209.9, 297],
  };
}

function mockWorld() {
  const now = '2026-11-22T10:00:00+07:00';
  let next = 10;
  const doc = (id, role, status, title, extra = {}) => ({ id, role, status, title, fileName: `vb-${id}.pdf`, sourcePath: `/home/vt/vb-${id}.pdf`, currentPath: `/home/vt/vb-${id}.pdf`, sha256: 'ab' + id, docNumber: null, docDate: null, signers: null, verdict: null, verdictReason: null, archivePath: null, createdAt: now, updatedAt: now, ...extra });
  const docs = [
    doc(1, 'sign', 'pending', 'Quyết định phê duyệt kế hoạch năm 2027'),
    doc(2, 'sign', 'signed', 'Công văn về việc tổ chức hội nghị'),
    doc(3, 'seal', 'signed', 'Quyết định khen thưởng', { signers: 'Nguyễn Văn A' }),
    doc(4, 'seal', 'signed', 'Tờ trình xin chủ trương', { signers: 'Trần Thị B' }),
    doc(5, 'seal', 'sealed', 'Thông báo kết luận', { docNumber: '45/TB-UBND', docDate: '2026-11-21' }),
    doc(6, 'incoming', 'valid', 'Công văn 12/SNV-TCBC', { verdict: 'TOTAL_PASSED', verdictReason: 'Văn bản hợp lệ: mọi chữ ký đều hợp lệ.' }),
    doc(7, 'incoming', 'invalid', 'Quyết định 99/QĐ-UBND', { verdict: 'TOTAL_FAILED', verdictReason: 'Nội dung đã bị thay đổi sau khi ký.' }),
    doc(8, 'incoming', 'rejected', 'Giấy mời họp', { verdict: 'INDETERMINATE', verdictReason: 'Không kiểm tra được tình trạng thu hồi chứng thư.' }),
  ];
  const tokens = [{ module: '/usr/lib/libvnpt.so', label: 'VNPT-CA Nguyen Van A', serial: '12345678', pinStatus: { tries: 'low', countLow: true },
    certificates: [
      { idHex: '01ab', label: 'cert', subject: 'CN=Nguyễn Văn A', commonName: 'Nguyễn Văn A', issuer: 'CN=CA phục vụ các cơ quan Nhà nước G2', serial: '55', notBefore: '2024-01-01T00:00:00+07:00', notAfter: '2026-12-10T00:00:00+07:00', daysLeft: 18, role: 'personal', hasKey: true },
      { idHex: '02cd', label: 'seal', subject: 'CN=UBND tỉnh X', commonName: 'UBND tỉnh X', issuer: 'CN=CA phục vụ các cơ quan Nhà nước G2', serial: '56', notBefore: '2024-01-01T00:00:00+07:00', notAfter: '2028-01-01T00:00:00+07:00', daysLeft: 400, role: 'agency', hasKey: true },
    ] }];
  const listeners = {};
  const emit = (ev, p) => (listeners[ev] || []).forEach((f) => f(p));
  const report = (d) => d.id === 7 || d.id === 4
    ? { indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE', messageVi: 'Văn bản không hợp lệ: nội dung đã bị thay đổi sau khi ký.', messageEn: 'Invalid: the content changed after signing.', signatures: [sig(false, 'Trần Thị B')] }
    : { indication: 'TOTAL_PASSED', messageVi: 'Văn bản hợp lệ: mọi chữ ký đều hợp lệ.', messageEn: 'Valid: every signature is valid.', signatures: [sig(true, 'Nguyễn Văn A')] };
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const file = (name) => ({ handle: Math.random().toString(16).slice(2).padEnd(32, '0'), name });
  const granted = new Map();
  const grant = (path) => { const f = file(path.split('/').pop()); granted.set(f.handle, path); return f; };
  let bridgeCerts = { personal: null, agency: null };
  let atLogin = false;
  const bridged = [
    { doc: docs[0], origin: 'https://qlvb.example.gov.vn', endpoint: 'SignApproved', receivedAt: now, upload: 'none', detail: null, canRetry: false },
    { doc: docs[4], origin: 'https://qlvb.example.gov.vn', endpoint: 'SignIssued', receivedAt: now, upload: 'failed', detail: 'upload failed: HTTP 500', canRetry: true },
  ];
  const handlers = {
    app_info: () => ({ version: '0.9.0-mock', dataDir: '/tmp' }),
    opened_files: () => [],
    expiring_certificates: () => tokens[0].certificates.filter((c) => c.daysLeft <= 30).map((c) => ({ ...c, tokenLabel: tokens[0].label })),
    list_documents: ({ role, status }) => docs.filter((d) => (!role || d.role === role) && (!status || d.status === status)),
    document_history: () => [],
    list_tokens: () => tokens,
    read_pdf: ({ id }) => makePdf(`Van ban so ${id}`),
    preview_placement: ({ request }) => mockPlacement(request),
    preview_pdf: ({ request: { id } }) => makePdf(`Van ban so ${id} (xem truoc)`),
    sign_document: async ({ request }) => {
      await wait(800); // the PIN window would be open here
      const d = docs.find((x) => x.id === request.id); d.status = 'signed'; d.currentPath = d.currentPath.replace('.pdf', '.signed.pdf');
      const { pageSizeMm, ...placement } = mockPlacement({ ...request, role: 'sign' });
      return { doc: d, report: report(d), placement };
    },
    verify_document: ({ id }) => { const d = docs.find((x) => x.id === id); const r = report(d); if (d.role === 'incoming') d.status = { TOTAL_PASSED: 'valid', TOTAL_FAILED: 'invalid' }[r.indication]; d.verdictReason = r.messageVi; return { doc: d, report: r, placement: null }; },
    seal_batch: async ({ items }) => {
      const results = [];
      for (const [index, it] of items.entries()) {
        emit('batch-progress', { id: it.id, index, total: items.length, state: 'running', error: null });
        await wait(600);
        const d = docs.find((x) => x.id === it.id); d.status = 'sealed'; d.docNumber = it.docNumber || null; d.docDate = it.docDate || null;
        emit('batch-progress', { id: it.id, index, total: items.length, state: 'done', error: null });
        const { pageSizeMm, ...placement } = mockPlacement({ ...it, role: 'seal' });
        results.push({ id: it.id, state: 'done', doc: d, placement, error: null });
      }
      return { results };
    },
    cancel_batch: () => null,
    release_document: ({ id }) => { const d = docs.find((x) => x.id === id); d.status = 'released'; d.archivePath = '/archive/' + d.fileName; return d; },
    register_document: ({ id, docNumber }) => { const d = docs.find((x) => x.id === id); d.status = 'registered'; d.docNumber = docNumber || null; return d; },
    reject_document: ({ id }) => { const d = docs.find((x) => x.id === id); d.status = 'rejected'; return { doc: d, noticeText: '/data/notices/tb.txt', noticePdf: '/data/notices/tb.pdf' }; },
    search_archive: () => docs.filter((d) => ['released', 'registered', 'sealed'].includes(d.status)),
    export_backup: () => ({ dir: '/media/usb/kyso-backup-1', files: 12, documents: 8, manifest: '/media/usb/kyso-backup-1/manifest.json', sums: '/media/usb/kyso-backup-1/SHA256SUMS' }),
    check_archive: () => ({ checked: 12, databaseOk: true, database: 'ok', bad: [] }),
    extend_archive: () => ([{ id: 3, fileName: 'qd-12.pdf', expires: null, result: 'extended', sha256Before: 'a'.repeat(64), sha256After: 'b'.repeat(64), archivePath: 'archive/bb/' + 'b'.repeat(64) + '.pdf', errorVi: null, errorEn: null }]),
    role_report: ({ year }) => [{ period: `${year}-H1`, role: 'sign', count: 14 }, { period: `${year}-H2`, role: 'sign', count: 9 }, { period: `${year}-H1`, role: 'seal', count: 11 }, { period: `${year}-H2`, role: 'seal', count: 8 }, { period: `${year}`, role: 'sign', count: 23 }, { period: `${year}`, role: 'seal', count: 19 }],
    export_report_csv: ({ file: h }) => granted.get(h) || '/home/vt/bao-cao.csv',
    change_pin: () => null,
    unblock_token: ({ tokenLabel }) => ({ state: 'unblocked', token: { label: tokenLabel, manufacturer: 'SoftHSM', model: 'SoftHSM v2', serial: '1234', pin: { tries: 'locked', locked: true, soLocked: false, soTries: 'unknown', finalTry: false, countLow: false, toBeChanged: false, initialized: true, loginRequired: true } } }),
    import_certificate: ({ tokenLabel }) => ({ tokenLabel, id: '01', label: 'Nguyễn Văn An 2028-05-01', subject: 'CN=Nguyễn Văn An', notAfter: '2028-05-01T00:00:00+07:00', written: true, caWritten: [], removed: [] }),
    create_handover: ({ request }) => { const d = doc(next++, 'sign', 'pending', 'Biên bản bàn giao', { fileName: 'bien-ban-ban-giao.pdf', sourcePath: '/data/documents/bien-ban-ban-giao.pdf', currentPath: '/data/documents/bien-ban-ban-giao.pdf' }); docs.unshift(d); return { document: d, handover: { id: 1, documentId: d.id, tokenLabel: request.tokenLabel, tokenSerial: '1234', tokenModel: 'SoftHSM v2', fromName: request.from, toName: request.to, witness: request.witness || null, handoverDate: request.date || '2026-12-01' } }; },
    list_handovers: ({ year }) => [{ id: 1, documentId: 9, tokenLabel: 'VAN-THU', tokenSerial: '1234', tokenModel: 'SoftHSM v2', fromName: 'Lê Văn Cường', toName: 'Phạm Thị Dung', witness: 'Nguyễn Văn An', handoverDate: `${year || 2026}-06-01` }],
    pick_certificate: () => grant('/home/vt/chung-thu-gia-han.p7b'),
    stamp_images: () => ({ signature: null, seal: null }),
    set_stamp_image: ({ kind }) => `/tmp/images/${kind}.png`,
    pick_files: ({ folder } = {}) => [grant(folder ? '/home/vt/den' : '/home/vt/moi.pdf')],
    pick_save_path: ({ defaultName }) => grant('/home/vt/' + defaultName),
    pick_folder: () => grant('/media/usb'),
    pick_image: () => grant('/home/vt/chu-ky.png'),
    bridge_status: () => ({ state: 'listening', address: 'wss://127.0.0.1:8987', error: null, allowOrigins: ['https://qlvb.example.gov.vn'], caPath: '/home/vt/.local/share/kyso/bridge/ca.pem', certificates: bridgeCerts }),
    bridge_documents: () => bridged,
    retry_upload: ({ id }) => { const b = bridged.find((x) => x.doc.id === id); b.upload = 'uploaded'; b.canRetry = false; b.detail = null; return { fileName: b.doc.fileName, fileServer: '/files/signed', message: 'Đã nhận tệp.' }; },
    set_bridge_certificate: ({ agency, choice }) => { bridgeCerts = { ...bridgeCerts, [agency ? 'agency' : 'personal']: choice || null }; return bridgeCerts; },
    start_at_login: () => atLogin,
    install_bridge_ca: () => ({ installed: ['NSS /home/vt/.pki/nssdb'], failed: [] }),
    set_start_at_login: ({ enabled }) => { atLogin = enabled; return atLogin; },
    add_documents: ({ files, role }) => files.map((h) => { const p = granted.get(h) || '/home/vt/x.pdf'; const d = doc(next++, role, 'pending', '', { fileName: p.split('/').pop(), sourcePath: p, currentPath: p }); docs.unshift(d); return d; }),
  };
  return { handlers, backend: {
    async invoke(cmd, args = {}) {
      await wait(80);
      const problem = contractProblem(cmd, args);
      if (problem) throw { kind: 'contract', vi: problem, en: problem, pinTries: null };
      return handlers[cmd](args);
    },
    async listen(ev, f) { (listeners[ev] ||= []).push(f); return () => { listeners[ev] = listeners[ev].filter((g) => g !== f); }; },
  } };
}

/** The mock's handlers, one per main-window command of the contract. */
export function mockHandlers() {
  return mockWorld().handlers;
}

/** The fake backend for `setBackend`. */
export function mockBackend() {
  return mockWorld().backend;
}

