//! Why the bridge refused or failed a request.

use std::path::{Path, PathBuf};

use crate::i18n::{Lang, Localize};
use crate::tr;

/// A bridge failure; every one becomes a `Status 1` reply with the Vietnamese line,
/// or a message at start-up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    /// A file of the bridge could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS keys or settings could not be made.
    #[error("TLS: {0}")]
    Tls(String),
    /// Another program listens on the address.
    #[error("{addr} is already in use{}", holder.as_ref().map(|h| format!(" by {h}")).unwrap_or_default())]
    PortInUse {
        /// The address.
        addr: String,
        /// The program holding it (name and process id), when the system says.
        holder: Option<String>,
    },
    /// Listening failed for another reason.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// `--unattended` without an allow-list.
    #[error("--unattended needs at least one --allow-origin")]
    UnattendedWithoutAllowList,
    /// The page's origin is not allowed (and the user did not allow it).
    #[error("the web page {0} is not allowed to use KySo")]
    OriginNotAllowed(String),
    /// The request named a host other than 127.0.0.1/localhost (DNS rebinding).
    #[error("Host {0:?} refused: only 127.0.0.1 and localhost are served")]
    HostNotAllowed(String),
    /// A download or upload address is not on the page's origin nor an allowed one.
    #[error("address {url} is not on the requesting site {origin} nor an allowed one")]
    UrlNotAllowed {
        /// The address.
        url: String,
        /// The page's origin.
        origin: String,
    },
    /// The request could not be read.
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// Something the page must send is missing.
    #[error("the request lacks {0}")]
    Missing(&'static str),
    /// The document could not be downloaded.
    #[error("download failed: {0}")]
    Download(String),
    /// The downloaded file is not a PDF.
    #[error("the downloaded file is not a PDF")]
    NotPdf,
    /// The downloaded file is larger than the limit.
    #[error("the document is larger than {0} MB")]
    TooLarge(u64),
    /// The e-office server did not take the signed file.
    #[error("upload failed: {0}")]
    Upload(String),
    /// The incoming document did not verify as valid (R11).
    #[error("the incoming document is not valid: {0}")]
    IncomingNotValid(String),
    /// No certificate of the kind the call needs is chosen.
    #[error("no {0} certificate chosen for the bridge")]
    NoCertificate(&'static str),
    /// A call seen in the wild that KýSố does not build.
    #[error("{0} is not supported")]
    Unsupported(String),
    /// No page can pick a local file without a person at the computer.
    #[error("choosing a file needs the desktop app")]
    NoFileDialog,
    /// The signature block names another person and the user did not confirm.
    #[error("the signature block names {block_name:?}, the certificate {holder:?}")]
    NameMismatch {
        /// The name under the block.
        block_name: String,
        /// The certificate's holder.
        holder: String,
    },
    /// Nobody can confirm a signature here (`kyso bridge` without `--unattended`).
    #[error("signing needs the desktop app or --unattended")]
    NoConfirmation,
    /// Unattended signing stopped after the token refused the PIN it was given.
    #[error("the token refused the PIN given at start; unattended signing stopped")]
    PinRefusedEarlier,
    /// The bridge's queued document to send again is unknown (or its sign-in expired with the app).
    #[error("nothing to send again for document {0}")]
    NothingToRetry(i64),
}

impl BridgeError {
    /// An I/O failure on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> BridgeError {
        BridgeError::Io { path: path.to_path_buf(), source }
    }

    /// A stable machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            BridgeError::Io { .. } => "bridge_io",
            BridgeError::Tls(_) => "bridge_tls",
            BridgeError::PortInUse { .. } => "bridge_port_in_use",
            BridgeError::Listen { .. } => "bridge_listen",
            BridgeError::UnattendedWithoutAllowList => "bridge_unattended_without_allow_list",
            BridgeError::OriginNotAllowed(_) => "bridge_origin_not_allowed",
            BridgeError::HostNotAllowed(_) => "bridge_host_not_allowed",
            BridgeError::UrlNotAllowed { .. } => "bridge_url_not_allowed",
            BridgeError::BadRequest(_) => "bridge_bad_request",
            BridgeError::Missing(_) => "bridge_missing_field",
            BridgeError::Download(_) => "bridge_download_failed",
            BridgeError::NotPdf => "bridge_not_pdf",
            BridgeError::TooLarge(_) => "bridge_too_large",
            BridgeError::Upload(_) => "bridge_upload_failed",
            BridgeError::IncomingNotValid(_) => "bridge_incoming_not_valid",
            BridgeError::NoCertificate(_) => "bridge_no_certificate",
            BridgeError::Unsupported(_) => "bridge_unsupported",
            BridgeError::NoFileDialog => "bridge_no_file_dialog",
            BridgeError::NothingToRetry(_) => "bridge_nothing_to_retry",
            BridgeError::NoConfirmation => "bridge_no_confirmation",
            BridgeError::NameMismatch { .. } => "name_mismatch",
            BridgeError::PinRefusedEarlier => "bridge_pin_refused_earlier",
        }
    }
}

impl Localize for BridgeError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            BridgeError::Io { path, source } => tr!(lang, "Lỗi đọc/ghi tệp {}: {}", "Cannot read or write {}: {}", path.display(), source),
            BridgeError::Tls(e) => tr!(lang, "Không tạo được khóa/chứng thư TLS cục bộ: {}", "Cannot make the local TLS keys: {}", e),
            BridgeError::PortInUse { addr, holder: Some(h) } => tr!(
                lang,
                "Cổng {} đang được chương trình {} sử dụng (có thể là VGCA Sign Service). Hãy tắt chương trình đó rồi mở lại KýSố.",
                "Port {} is held by {} (perhaps the VGCA Sign Service). Stop it and start KySo again.",
                addr,
                h
            ),
            BridgeError::PortInUse { addr, holder: None } => tr!(
                lang,
                "Cổng {} đang được một chương trình khác sử dụng (có thể là VGCA Sign Service). Hãy tắt chương trình đó rồi mở lại KýSố.",
                "Port {} is held by another program (perhaps the VGCA Sign Service). Stop it and start KySo again.",
                addr
            ),
            BridgeError::Listen { addr, source } => tr!(lang, "Không mở được cổng {}: {}", "Cannot listen on {}: {}", addr, source),
            BridgeError::UnattendedWithoutAllowList => tr!(
                lang,
                "--unattended cần ít nhất một --allow-origin: không ký tự động cho trang web bất kỳ.",
                "--unattended needs at least one --allow-origin: KySo never signs unattended for any web page."
            ),
            BridgeError::OriginNotAllowed(o) => tr!(
                lang,
                "Trang {} không được phép dùng KýSố để ký. Liên hệ bộ phận CNTT để thêm vào danh sách cho phép.",
                "The web page {} is not allowed to use KySo. Ask IT to add it to the allow-list.",
                o
            ),
            BridgeError::HostNotAllowed(h) => tr!(
                lang,
                "Từ chối yêu cầu gửi tới máy chủ {:?}: KýSố chỉ phục vụ 127.0.0.1 và localhost.",
                "Refused a request for host {:?}: KySo serves 127.0.0.1 and localhost only.",
                h
            ),
            BridgeError::UrlNotAllowed { url, origin } => tr!(
                lang,
                "Từ chối địa chỉ {}: không thuộc trang {} hay trang được phép.",
                "Refused address {}: not on the site {} nor an allowed one.",
                url,
                origin
            ),
            BridgeError::BadRequest(e) => tr!(lang, "Yêu cầu không đúng định dạng: {}", "Malformed request: {}", e),
            BridgeError::Missing(what) => tr!(lang, "Yêu cầu thiếu {}.", "The request lacks {}.", what),
            BridgeError::Download(e) => tr!(lang, "Không tải được văn bản về: {}", "Cannot download the document: {}", e),
            BridgeError::NotPdf => tr!(lang, "Tệp tải về không phải văn bản PDF.", "The downloaded file is not a PDF."),
            BridgeError::TooLarge(mb) => tr!(lang, "Văn bản lớn hơn {} MB.", "The document is larger than {} MB.", mb),
            BridgeError::Upload(e) => tr!(
                lang,
                "Đã ký nhưng chưa gửi được văn bản lên hệ thống: {}. Văn bản đã ký được giữ trong hàng đợi của KýSố (nút \"Gửi lại\").",
                "Signed, but the document could not be sent to the system: {}. The signed file is kept in KySo's queue (\"Send again\").",
                e
            ),
            BridgeError::IncomingNotValid(why) => {
                tr!(lang, "Văn bản đến không hợp lệ, không ký tiếp nhận: {}", "The incoming document is not valid; not stamped: {}", why)
            }
            BridgeError::NoCertificate(kind) => tr!(
                lang,
                "Chưa chọn chứng thư số {} cho việc ký từ hệ thống quản lý văn bản (mục Thiết bị).",
                "No {} certificate is chosen for signing from the e-office system (Devices).",
                if lang == Lang::Vi && *kind == "personal" {
                    "cá nhân"
                } else if lang == Lang::Vi {
                    "cơ quan"
                } else {
                    kind
                }
            ),
            BridgeError::Unsupported(e) => tr!(lang, "KýSố chưa hỗ trợ chức năng {}.", "KySo does not support {} yet.", e),
            BridgeError::NoFileDialog => tr!(
                lang,
                "Cần chọn tệp trên máy: hãy dùng ứng dụng KýSố (chế độ tự động không mở hộp thoại).",
                "A local file must be chosen: use the KySo app (unattended mode opens no dialog)."
            ),
            BridgeError::NameMismatch { block_name, holder } => tr!(
                lang,
                "Tên dưới chữ ký trên văn bản là \"{}\" nhưng chứng thư số là của \"{}\": không ký.",
                "The name under the signature block is \"{}\" but the certificate belongs to \"{}\": not signed.",
                block_name,
                holder
            ),
            BridgeError::NoConfirmation => tr!(
                lang,
                "Không có người xác nhận chữ ký: hãy mở ứng dụng KýSố (hoặc chạy kyso bridge với --unattended).",
                "Nobody can confirm the signature: open the KySo app (or run kyso bridge with --unattended)."
            ),
            BridgeError::PinRefusedEarlier => tr!(
                lang,
                "Thiết bị ký đã từ chối mã PIN được cấu hình; KýSố ngừng ký tự động để thiết bị không bị khóa. Khởi động lại kyso bridge với mã PIN đúng.",
                "The token refused the configured PIN; KySo stopped signing unattended so the token is not locked. Restart kyso bridge with the right PIN."
            ),
            BridgeError::NothingToRetry(id) => tr!(
                lang,
                "Không có gì để gửi lại cho văn bản {} (phiên đăng nhập của trang đã hết khi KýSố đóng): hãy ký lại từ trang.",
                "Nothing to send again for document {} (the page's sign-in ended when KySo closed): sign again from the page.",
                id
            ),
        }
    }
}
