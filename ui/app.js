// KýSố desktop UI (shell). No framework, no external resources: the CSP
// allows only scripts and styles from the app itself.
'use strict';

/** The Tauri IPC `invoke`, or null when the page is opened in a plain browser. */
function tauriInvoke() {
  const internals = window.__TAURI_INTERNALS__;
  return internals && typeof internals.invoke === 'function'
    ? internals.invoke.bind(internals)
    : null;
}

function showFiles(files) {
  const list = document.getElementById('files');
  const status = document.getElementById('files-status');
  list.replaceChildren();
  if (!files.length) {
    status.textContent = 'Chưa có tệp nào. Mở ứng dụng kèm đường dẫn tệp PDF, hoặc chọn “Mở bằng KýSố” trên tệp PDF.';
    return;
  }
  status.textContent = `Đã mở ${files.length} tệp:`;
  for (const path of files) {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.className = 'file-name';
    name.textContent = path.split(/[\\/]/).pop();
    const full = document.createElement('span');
    full.className = 'file-path';
    full.textContent = path;
    li.append(name, full);
    list.append(li);
  }
}

function selectTab(button) {
  for (const tab of document.querySelectorAll('.tab')) {
    tab.setAttribute('aria-selected', String(tab === button));
  }
}

async function init() {
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => selectTab(tab));
  }

  const invoke = tauriInvoke();
  if (!invoke) {
    document.getElementById('files-status').textContent =
      'Không chạy trong ứng dụng KýSố (đang xem bằng trình duyệt thường).';
    return;
  }
  try {
    showFiles(await invoke('opened_files'));
  } catch (err) {
    document.getElementById('files-status').textContent = `Lỗi: ${err}`;
  }
  try {
    document.getElementById('version').textContent = `Lõi kyso: ${await invoke('core_version')}`;
  } catch (_) {
    /* keep the placeholder */
  }
}

document.addEventListener('DOMContentLoaded', init);
