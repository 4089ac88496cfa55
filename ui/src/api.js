// The only door to the Rust shell: Tauri commands (docs/desktop-commands.md),
// events, and the webview's drag-and-drop. A test or the dev mock can swap the backend.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';

const tauriBackend = {
  invoke: (cmd, args) => invoke(cmd, args),
  listen: (event, handler) => listen(event, (e) => handler(e.payload)),
  onDragDrop: (handler) => getCurrentWebview().onDragDropEvent((e) => handler(e.payload)),
};

let backend = tauriBackend;

export function setBackend(b) {
  backend = b || tauriBackend;
}

/** invoke(cmd, args); rejects with the AppError { kind, vi, en, pinTries }. */
export function call(cmd, args) {
  return backend.invoke(cmd, args);
}

/** Listen to a shell event; resolves to an unlisten function. handler gets the payload. */
export async function on(event, handler) {
  try {
    return await backend.listen(event, handler);
  } catch (_) {
    return () => {};
  }
}

/** Drag and drop of files onto the window: handler({ type, paths, position }). */
export async function onDragDrop(handler) {
  try {
    return await backend.onDragDrop(handler);
  } catch (_) {
    return () => {};
  }
}
