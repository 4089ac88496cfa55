// All user-visible strings, Vietnamese first, English second.
// The chosen language is remembered in localStorage ("kyso.lang").

export const LANGS = ['vi', 'en'];
const STORAGE_KEY = 'kyso.lang';

export const STRINGS = {
  'app.tagline': ['Ký số văn bản PDF', 'Digital signing of PDF documents'],
  'lang.toggle': ['English', 'Tiếng Việt'],
  'lang.toggleTitle': ['Chuyển sang tiếng Anh', 'Switch to Vietnamese'],
  'nav.sign': ['Ký', 'Sign'],
  'nav.clerk': ['Văn thư', 'Clerk'],
  'nav.inbox': ['Kiểm tra', 'Check'],
  'nav.archive': ['Lưu trữ', 'Archive'],
  'nav.devices': ['Thiết bị', 'Devices'],
  'nav.reports': ['Báo cáo', 'Reports'],
  'common.close': ['Đóng', 'Close'],
  'common.ok': ['Đồng ý', 'OK'],
  'common.cancel': ['Hủy', 'Cancel'],
  'common.loading': ['Đang tải…', 'Loading…'],
  'common.working': ['Đang xử lý…', 'Working…'],
  'common.refresh': ['Tải lại', 'Refresh'],
  'common.none': ['—', '—'],
  'common.version': ['Phiên bản {v}', 'Version {v}'],
  'common.addFiles': ['Thêm tệp PDF…', 'Add PDF files…'],
  'common.addFolder': ['Thêm thư mục…', 'Add a folder…'],
  'common.addAs': ['Đưa vào danh sách', 'Add to list'],
  'common.dropHint': ['Hoặc kéo thả tệp PDF vào cửa sổ này.', 'Or drop PDF files onto this window.'],
  'common.details': ['Chi tiết', 'Details'],
  'common.noCert': ['Chưa có chứng thư số — hãy cắm thiết bị ký số (token) rồi bấm Tải lại.', 'No certificate — plug in the USB token and press Refresh.'],
  'common.fileSaved': ['Đã lưu: {path}', 'Saved: {path}'],

  'role.sign': ['Ký (lãnh đạo)', 'Sign (leader)'],
  'role.seal': ['Văn thư (đóng dấu)', 'Clerk (seal)'],
  'role.incoming': ['Kiểm tra (văn bản đến)', 'Check (incoming)'],

  'status.pending': ['Chờ xử lý', 'Pending'],
  'status.signed': ['Đã ký', 'Signed'],
  'status.sealed': ['Đã đóng dấu', 'Sealed'],
  'status.released': ['Đã phát hành', 'Released'],
  'status.valid': ['Hợp lệ', 'Valid'],
  'status.invalid': ['Không hợp lệ', 'Invalid'],
  'status.indeterminate': ['Chưa xác định', 'Indeterminate'],
  'status.registered': ['Đã vào sổ', 'Registered'],
  'status.rejected': ['Đã từ chối', 'Rejected'],

  'verdict.valid': ['Hợp lệ', 'Valid'],
  'verdict.invalid': ['Không hợp lệ', 'Invalid'],
  'verdict.indeterminate': ['Chưa xác định', 'Indeterminate'],
  'verdict.unknown': ['Chưa kiểm tra', 'Not checked'],

  'sign.title': ['Ký văn bản', 'Sign a document'],
  'sign.list': ['Văn bản chờ ký', 'Documents to sign'],
  'sign.empty': ['Chưa có văn bản. Mở tệp PDF bằng KýSố hoặc bấm “Thêm tệp PDF…”.', 'No documents yet. Open a PDF with KýSố or press “Add PDF files…”.'],
  'sign.chooseDoc': ['Chọn một văn bản ở danh sách bên trái để xem.', 'Choose a document on the left to view it.'],
  'sign.cert': ['Chứng thư số dùng để ký', 'Certificate to sign with'],
  'sign.button': ['Ký văn bản', 'Sign'],
  'sign.placement.found': ['Vị trí chữ ký tìm theo mẫu, giữa chức vụ và họ tên. Có thể kéo để đổi chỗ.', 'Position found from the template, between the title and the name. Drag to move it.'],
  'sign.placement.default': ['Không tìm thấy chỗ ký trong văn bản: dùng vị trí mặc định. Kéo để đặt đúng chỗ.', 'No signature place found: default position used. Drag it to the right place.'],
  'sign.placement.given': ['Vị trí do bạn chọn.', 'Position chosen by you.'],
  'sign.placement.invisible': ['Chữ ký không hiển thị hình.', 'Invisible signature (no image).'],
  'sign.page': ['Trang {n}/{total}', 'Page {n} of {total}'],
  'sign.prevPage': ['‹ Trang trước', '‹ Previous page'],
  'sign.nextPage': ['Trang sau ›', 'Next page ›'],
  'sign.stampHere': ['Đặt chữ ký ở trang này', 'Put the signature on this page'],
  'sign.stampOnPage': ['Chữ ký nằm ở trang {n}.', 'The signature is on page {n}.'],
  'sign.stampLabel': ['Chữ ký', 'Signature'],
  'sign.result': ['Đã ký: {file}', 'Signed: {file}'],
  'sign.resultVerdict': ['Kết quả kiểm tra chữ ký vừa ký:', 'Check of the new signature:'],
  'sign.wrongRole': ['Chứng thư này là của cơ quan (dấu), không phải cá nhân. Lãnh đạo ký bằng chứng thư cá nhân.', 'This is an agency (seal) certificate, not a personal one. Leaders sign with a personal certificate.'],
  'sign.pinTitle': ['Nhập mã PIN để ký', 'Enter the PIN to sign'],

  'cert.name': ['Họ tên / tên cơ quan', 'Name'],
  'cert.issuer': ['Nơi cấp', 'Issuer'],
  'cert.expiry': ['Hết hạn', 'Expires'],
  'cert.role': ['Loại', 'Type'],
  'cert.role.personal': ['Cá nhân', 'Personal'],
  'cert.role.agency': ['Cơ quan', 'Agency'],
  'cert.role.unknown': ['Không rõ', 'Unknown'],
  'cert.option': ['{name} — {issuer} — hết hạn {expiry}', '{name} — {issuer} — expires {expiry}'],
  'cert.expired': ['Chứng thư số đã hết hạn ngày {date}.', 'The certificate expired on {date}.'],
  'cert.expiresToday': ['Chứng thư số hết hạn hôm nay ({date}).', 'The certificate expires today ({date}).'],
  'cert.expiresSoon': ['Chứng thư số sẽ hết hạn sau {days} ngày ({date}). Hãy làm thủ tục gia hạn.', 'The certificate expires in {days} days ({date}). Ask for a renewal.'],
  'cert.noKey': ['không có khóa', 'no key'],

  'pin.label': ['Mã PIN', 'PIN'],
  'pin.tries.unknown': ['Thiết bị không báo nhập sai trước đó.', 'No wrong PIN reported by the token.'],
  'pin.tries.low': ['Đã nhập sai PIN trước đó — còn ít lần thử, thiết bị sẽ khóa nếu tiếp tục sai.', 'A wrong PIN was entered before — few tries left; the token locks if you keep entering a wrong PIN.'],
  'pin.tries.finalTry': ['Đây là lần thử cuối cùng — nhập sai nữa thiết bị sẽ bị khóa.', 'This is the final try — one more wrong PIN locks the token.'],
  'pin.tries.locked': ['Thiết bị đã bị khóa mã PIN. Hãy liên hệ bộ phận quản lý chứng thư số để mở khóa.', 'The token PIN is locked. Contact your certificate administrator to unblock it.'],
  'pin.empty': ['Hãy nhập mã PIN.', 'Please enter the PIN.'],
  'pin.sign': ['Ký', 'Sign'],
  'pin.confirmSign': ['Xác nhận ký văn bản', 'Confirm the signature'],
  'pin.confirmSeal': ['Xác nhận đóng dấu {n} văn bản', 'Confirm sealing {n} document(s)'],
  'pin.role': ['Ký với tư cách', 'Signing as'],
  'pin.roleSign': ['Cá nhân (lãnh đạo)', 'Person (leader)'],
  'pin.roleSeal': ['Cơ quan (đóng dấu)', 'Agency (seal)'],
  'pin.certificate': ['Chứng thư số', 'Certificate'],
  'pin.serial': ['Số sê-ri', 'Serial'],
  'pin.token': ['Thiết bị', 'Token'],
  'pin.documents': ['Số văn bản', 'Documents'],
  'pin.waiting': ['Đang chờ xác nhận và mã PIN trong cửa sổ KýSố riêng…', 'Waiting for confirmation and the PIN in the separate KýSố window…'],
  'pin.changeTitle': ['Đổi mã PIN của thiết bị {label}', 'Change the PIN of token {label}'],
  'pin.old': ['Mã PIN hiện tại', 'Current PIN'],
  'pin.new': ['Mã PIN mới', 'New PIN'],
  'pin.confirm': ['Nhập lại mã PIN mới', 'Repeat the new PIN'],
  'pin.mismatch': ['Hai lần nhập mã PIN mới không khớp.', 'The two new PINs differ.'],
  'pin.tooShort': ['Mã PIN mới phải có từ {min} đến {max} ký tự.', 'The new PIN must have {min} to {max} characters.'],
  'pin.same': ['Mã PIN mới phải khác mã PIN hiện tại.', 'The new PIN must differ from the current one.'],
  'pin.changed': ['Đã đổi mã PIN.', 'The PIN was changed.'],

  'clerk.title': ['Văn thư: cấp số, đóng dấu, phát hành', 'Clerk: number, seal, release'],
  'clerk.empty': ['Chưa có văn bản chờ đóng dấu. Thêm tệp đã được lãnh đạo ký.', 'No documents to seal. Add files signed by the leader.'],
  'clerk.number': ['Số, ký hiệu', 'Number/symbol'],
  'clerk.date': ['Ngày ban hành', 'Date'],
  'clerk.signatures': ['Chữ ký hiện có', 'Existing signatures'],
  'clerk.noSignatures': ['Chưa có chữ ký nào.', 'No signature yet.'],
  'clerk.checking': ['Đang kiểm tra chữ ký…', 'Checking signatures…'],
  'clerk.check': ['Kiểm tra lại', 'Check again'],
  'clerk.refused': ['Không thể đóng dấu: có chữ ký không hợp lệ (R9).', 'Cannot seal: a signature is invalid (R9).'],
  'clerk.cert': ['Chứng thư số của cơ quan', 'Agency certificate'],
  'clerk.seal': ['Cấp số và đóng dấu các văn bản đã chọn', 'Number and seal the selected documents'],
  'clerk.selectAll': ['Chọn tất cả', 'Select all'],
  'clerk.noneSelected': ['Hãy chọn ít nhất một văn bản.', 'Select at least one document.'],
  'clerk.release': ['Phát hành', 'Release'],
  'clerk.released': ['Đã phát hành: {file}', 'Released: {file}'],
  'clerk.cancel': ['Dừng', 'Stop'],
  'clerk.progress': ['Đã xử lý {done}/{total}', 'Processed {done}/{total}'],
  'clerk.wrongRole': ['Chứng thư này là của cá nhân. Văn thư đóng dấu bằng chứng thư của cơ quan.', 'This is a personal certificate. The clerk seals with the agency certificate.'],
  'clerk.pinTitle': ['Nhập mã PIN thiết bị của cơ quan', 'Enter the PIN of the agency token'],
  'clerk.duplicateNumber': ['Số “{n}” bị trùng trong các văn bản đã chọn.', 'Number “{n}” is used twice in the selection.'],
  'clerk.sealedList': ['Đã đóng dấu, chờ phát hành', 'Sealed, waiting for release'],
  'clerk.releasedList': ['Đã phát hành', 'Released'],
  'batch.queued': ['Đang chờ', 'Queued'],
  'batch.running': ['Đang đóng dấu…', 'Sealing…'],
  'batch.done': ['Đã đóng dấu', 'Sealed'],
  'batch.failed': ['Lỗi', 'Failed'],
  'batch.pending': ['Chưa xử lý — văn bản vẫn chờ', 'Not processed — still pending'],
  'batch.summary': ['Xong {done}, lỗi {failed}, còn chờ {pending}.', 'Done {done}, failed {failed}, still pending {pending}.'],

  'inbox.title': ['Kiểm tra văn bản đến', 'Check incoming documents'],
  'inbox.empty': ['Chưa có văn bản đến. Thêm tệp, thư mục, hoặc kéo thả vào đây.', 'No incoming documents. Add files, a folder, or drop them here.'],
  'inbox.checking': ['Đang kiểm tra…', 'Checking…'],
  'inbox.register': ['Vào sổ', 'Register'],
  'inbox.registerNumber': ['Số, ký hiệu văn bản đến', 'Number/symbol'],
  'inbox.reject': ['Từ chối, lập thông báo', 'Reject and write a notice'],
  'inbox.registered': ['Đã vào sổ: {file}', 'Registered: {file}'],
  'inbox.rejected': ['Đã từ chối. Thông báo gửi nơi gửi: {path}', 'Rejected. Notice to the sender: {path}'],
  'inbox.rejectedList': ['Văn bản đã từ chối (giữ lại, không xóa)', 'Rejected documents (kept, never deleted)'],
  'inbox.noRejected': ['Chưa có văn bản bị từ chối.', 'No rejected documents.'],
  'inbox.onlyValid': ['Chỉ vào sổ được văn bản hợp lệ.', 'Only valid documents can be registered.'],
  'inbox.recheck': ['Kiểm tra lại', 'Check again'],
  'sig.heading': ['Chữ ký {i}', 'Signature {i}'],
  'sig.signer': ['Người ký', 'Signer'],
  'sig.issuer': ['Nơi cấp chứng thư', 'Certificate issuer'],
  'sig.time': ['Thời gian ký (người ký tự ghi)', 'Signing time (as claimed)'],
  'sig.judgedAt': ['Kiểm tra chứng thư tại', 'Certificate judged at'],
  'sig.basis.signatureTimestamp': ['dấu thời gian của chữ ký', "the signature's time-stamp"],
  'sig.basis.documentTimestamp': ['dấu thời gian văn bản', 'a document time-stamp'],
  'sig.basis.archive': ['hồ sơ lưu trữ', 'the archive record'],
  'sig.basis.now': ['lúc kiểm tra, không có dấu thời gian hợp lệ', 'now: no valid time-stamp'],
  'sig.timestamp': ['Dấu thời gian', 'Time-stamp'],
  'sig.coverage': ['Phạm vi ký', 'Coverage'],
  'sig.sub': ['Mã lý do', 'Sub-indication'],
  'sig.sentence': ['Kết luận', 'Conclusion'],
  'coverage.NONE': ['Không bao phủ nội dung', 'Covers nothing'],
  'coverage.PARTIAL': ['Một phần tệp', 'Part of the file'],
  'coverage.WHOLE_REVISION': ['Toàn bộ bản đã ký (có cập nhật sau đó)', 'Whole signed revision (updated later)'],
  'coverage.WHOLE_FILE': ['Toàn bộ tệp', 'Whole file'],

  'archive.title': ['Tra cứu lưu trữ', 'Search the archive'],
  'archive.search': ['Tìm', 'Search'],
  'archive.placeholder': ['Số, ký hiệu, trích yếu, người ký, tên tệp…', 'Number, title, signer, file name…'],
  'archive.from': ['Từ ngày', 'From'],
  'archive.to': ['Đến ngày', 'To'],
  'archive.empty': ['Không tìm thấy văn bản nào.', 'No documents found.'],
  'archive.count': ['Tìm thấy {n} văn bản.', '{n} documents found.'],
  'archive.backup': ['Sao lưu ra thư mục…', 'Back up to a folder…'],
  'archive.backupDone': ['Đã sao lưu {n} tệp vào {dir}.', 'Backed up {n} files to {dir}.'],
  'archive.check': ['Kiểm tra toàn vẹn kho lưu trữ', 'Check the archive'],
  'archive.checkOk': ['Đã kiểm tra {n} tệp: tất cả nguyên vẹn.', 'Checked {n} files: all intact.'],
  'archive.checkBad': ['Đã kiểm tra {n} tệp: {bad} tệp bị thay đổi hoặc mất:', 'Checked {n} files: {bad} changed or missing:'],
  'archive.col.number': ['Số, ký hiệu', 'Number'],
  'archive.col.date': ['Ngày', 'Date'],
  'archive.col.title': ['Trích yếu / tệp', 'Title / file'],
  'archive.col.signers': ['Người ký', 'Signers'],
  'archive.col.status': ['Trạng thái', 'Status'],

  'devices.title': ['Thiết bị ký số và chứng thư số', 'Tokens and certificates'],
  'devices.empty': ['Không tìm thấy thiết bị ký số. Hãy cắm token và bấm Tải lại.', 'No token found. Plug in the token and press Refresh.'],
  'devices.serial': ['Số sê-ri', 'Serial'],
  'devices.pin': ['Trạng thái PIN', 'PIN state'],
  'devices.changePin': ['Đổi mã PIN…', 'Change PIN…'],
  'devices.images': ['Ảnh chữ ký và con dấu', 'Signature and seal images'],
  'devices.imagesHint': ['Chọn ảnh chụp hoặc ảnh quét; KýSố làm nền trong suốt, đổi màu mực (xanh cho chữ ký, đỏ cho con dấu) và dùng cho mọi lần ký sau.', 'Choose a photo or scan; KýSố removes the paper, recolours the ink (blue signature, red seal) and uses it for every later signature.'],
  'devices.image.signature': ['Ảnh chữ ký (lãnh đạo)', 'Signature image (leader)'],
  'devices.image.seal': ['Ảnh con dấu (văn thư)', 'Seal image (clerk)'],
  'devices.imageNone': ['chưa chọn — chữ ký không hiển thị hình', 'not set — the signature is invisible'],
  'devices.imageChoose': ['Chọn ảnh…', 'Choose image…'],
  'devices.daysLeft': ['còn {days} ngày', '{days} days left'],

  'reports.title': ['Báo cáo số văn bản đã ký', 'Documents signed'],
  'reports.year': ['Năm', 'Year'],
  'reports.export': ['Xuất tệp CSV…', 'Export CSV…'],
  'reports.role': ['Loại chữ ký', 'Signature type'],
  'archive.history': ['Lịch sử', 'History'],
  'archive.h.at': ['Thời gian', 'When'],
  'archive.h.action': ['Việc', 'What'],
  'archive.h.actor': ['Người ký / cơ quan', 'Signer'],
  'archive.h.serial': ['Số sê-ri chứng thư', 'Certificate serial'],
  'archive.h.sha': ['SHA-256 trước → sau', 'SHA-256 before → after'],
  'history.added': ['Thêm vào danh sách', 'Added'],
  'history.signed': ['Ký', 'Signed'],
  'history.sealed': ['Cấp số, đóng dấu', 'Numbered and sealed'],
  'history.released': ['Phát hành', 'Released'],
  'history.verified': ['Kiểm tra chữ ký', 'Checked'],
  'history.registered': ['Vào sổ', 'Registered'],
  'history.rejected': ['Từ chối', 'Rejected'],
  'history.sign_failed': ['Ký không thành công', 'Signing failed'],
  'history.seal_failed': ['Đóng dấu không thành công', 'Sealing failed'],
  'history.rehashed': ['Tệp thay đổi, tính lại mã băm', 'File changed, re-hashed'],
  'reports.act.sign': ['Ký cá nhân (lãnh đạo)', 'Personal signatures (leaders)'],
  'reports.act.seal': ['Đóng dấu (cơ quan)', 'Agency seals'],
  'reports.act.incoming': ['Vào sổ (văn bản đến)', 'Incoming registered'],
  'reports.h1': ['6 tháng đầu năm', 'First half'],
  'reports.h2': ['6 tháng cuối năm', 'Second half'],
  'reports.year.total': ['Cả năm', 'Whole year'],
  'reports.total': ['Tổng cộng', 'Total'],
  'reports.empty': ['Chưa có văn bản nào được ký trong năm {year}.', 'No documents signed in {year}.'],

  'banner.expiring': ['Chứng thư số sắp hết hạn: {list}. Hãy làm thủ tục gia hạn trước khi hết hạn.', 'Certificates expiring soon: {list}. Ask for a renewal before they expire.'],
  'banner.expired': ['Chứng thư số đã hết hạn: {list}.', 'Certificates already expired: {list}.'],
  'error.generic': ['Đã xảy ra lỗi: {msg}', 'Something went wrong: {msg}'],
  'error.number': ['Số, ký hiệu “{n}” không đúng dạng (ví dụ: 12/QĐ-UBND).', 'Number “{n}” is not well formed (e.g. 12/QĐ-UBND).'],
  'error.date': ['Ngày “{d}” không hợp lệ (dạng năm-tháng-ngày).', 'Date “{d}” is not valid (year-month-day).'],
  'error.dateFuture': ['Ngày {d} ở tương lai.', 'Date {d} is in the future.'],
  'error.dateRange': ['“Từ ngày” phải trước “Đến ngày”.', '“From” must be before “To”.'],
  'error.year': ['Năm không hợp lệ.', 'Invalid year.'],
};

let current = 'vi';

export function detectLang(storage = globalThis.localStorage) {
  try {
    const saved = storage && storage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch (_) { /* storage unavailable */ }
  return 'vi';
}

export function getLang() {
  return current;
}

export function setLang(lang, storage = globalThis.localStorage) {
  current = LANGS.includes(lang) ? lang : 'vi';
  try {
    if (storage) storage.setItem(STORAGE_KEY, current);
  } catch (_) { /* storage unavailable */ }
  if (globalThis.document) document.documentElement.lang = current;
  return current;
}

/** The string `key` in the current (or given) language, `{name}` filled from params. */
export function t(key, params = {}, lang = current) {
  const entry = STRINGS[key];
  const raw = entry ? entry[lang === 'en' ? 1 : 0] : key;
  return raw.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Fill every element with data-i18n (text), data-i18n-placeholder, data-i18n-title. */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}
