// The only door to the Rust shell: Tauri commands (docs/desktop-commands.md), events.
// Every call is checked against the generated contract (./commands.js, from the Rust
// types): an unknown command, a command of another window, or an argument the
// command does not take is refused here, before it could be silently dropped.
// A test or the dev mock can swap the backend.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { commands, events } from './commands.js';

const tauriBackend = {
  invoke: (cmd, args) => invoke(cmd, args),
  listen: (event, handler) => listen(event, (e) => handler(e.payload)),
};

let backend = tauriBackend;

export function setBackend(b) {
  backend = b || tauriBackend;
}

/** Why `call(cmd, args)` breaks the contract of the main window, or '' when it keeps it. */
export function contractProblem(cmd, args = {}) {
  const spec = commands[cmd];
  if (!spec) return `unknown command ${cmd}`;
  if (spec.window !== 'main') return `${cmd} belongs to the ${spec.window} window`;
  for (const k of Object.keys(args || {})) {
    if (!spec.args.includes(k)) return `${cmd} takes no argument ${k}`;
  }
  for (const k of spec.args) {
    if (!spec.optional.includes(k) && (args || {})[k] === undefined) return `${cmd} needs ${k}`;
  }
  return '';
}

/**
 * invoke(cmd, args); rejects with the AgentErrorBody { kind, vi, en, pinTries }.
 * @template {keyof import('./bindings').Commands} K
 * @param {K} cmd
 * @param {import('./bindings').Commands[K]['args']} [args]
 * @returns {Promise<import('./bindings').Commands[K]['result']>}
 */
export function call(cmd, args) {
  const problem = contractProblem(cmd, args);
  if (problem) {
    return Promise.reject({ kind: 'contract', vi: `Lỗi lập trình giao diện: ${problem}.`, en: `UI programming error: ${problem}.`, pinTries: null });
  }
  return backend.invoke(cmd, args);
}

/**
 * Listen to a shell event; resolves to an unlisten function. handler gets the payload.
 * @template {keyof import('./bindings').Events} E
 * @param {E} event
 * @param {(payload: import('./bindings').Events[E]) => void} handler
 */
export async function on(event, handler) {
  if (!events.includes(event)) throw new Error(`unknown event ${event}`);
  try {
    return await backend.listen(event, handler);
  } catch (_) {
    return () => {};
  }
}
