// End-to-end session helpers for the KýSố desktop app.
//
//   WebdriverIO remote()  ->  tauri-driver (--port P)  ->  WebKitWebDriver (--native-port N)
//                                                           -> kyso-desktop (TAURI_WEBVIEW_AUTOMATION=true)
// all on a private Xvfb display. Every process we start is its own process
// group leader (detached) so that teardown can kill the whole tree
// (tauri-driver -> WebKitWebDriver -> app -> WebKit helper processes),
// also when a test fails or the runner is interrupted.
//
// Env knobs: E2E_APP (app binary), E2E_ARTIFACTS (screenshots/logs dir),
// E2E_USE_DISPLAY=1 (use $DISPLAY instead of a private Xvfb),
// E2E_TAURI_DRIVER (path to tauri-driver), E2E_DBUS=1 (private session bus),
// E2E_SOFTWARE_GL=0 (do not set LIBGL_ALWAYS_SOFTWARE), E2E_LOG_LEVEL (wdio log level),
// E2E_REQUEST_TIMEOUT_MS (per WebDriver request, default 60000).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

const here = path.dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = path.resolve(here, '..');
export const REPO_ROOT = path.resolve(E2E_DIR, '../..');

export const APP_PATH = path.resolve(
  process.env.E2E_APP || path.join(REPO_ROOT, 'target/debug/kyso-desktop'),
);
export const ARTIFACTS_DIR = path.resolve(
  process.env.E2E_ARTIFACTS || path.join(E2E_DIR, 'artifacts'),
);
/** The `kyso` CLI the specs prepare fixtures with (E2E_KYSO). */
export const KYSO = process.env.E2E_KYSO || path.join(REPO_ROOT, 'target/debug/kyso');
/** The test bed of tests/fixtures/make-testbed.sh (E2E_TESTBED). */
export const TESTBED = process.env.E2E_TESTBED || path.join(REPO_ROOT, 'target/tmp/kyso-testbed');

/** The variables of the test bed's `testbed.env` (`export K='v'` lines). */
export function readTestbedEnv() {
  const env = {};
  for (const line of fs.readFileSync(path.join(TESTBED, 'testbed.env'), 'utf8').split('\n')) {
    const m = line.match(/^export (\w+)='?(.*?)'?$/);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/**
 * The test bed built (idempotent; the same one the Rust tests use) and, in `work`, what a
 * spec's app needs from it: a private copy of the tokens (a spec may type wrong PINs or lock
 * one) with its softhsm2.conf, and the test PKI's current CRLs.
 * @returns {{ tb: Record<string, string>, conf: string, crls: string[] }}
 */
export function prepareTestbed(work) {
  execFileSync('bash', [path.join(REPO_ROOT, 'tests/fixtures/make-testbed.sh'), TESTBED], { stdio: 'inherit' });
  const crlDir = path.join(work, 'crls');
  execFileSync('bash', [path.join(REPO_ROOT, 'tests/fixtures/attacks/make-crls.sh'), TESTBED, crlDir], { stdio: 'inherit' });
  fs.cpSync(path.join(TESTBED, 'tokens'), path.join(work, 'tokens'), { recursive: true });
  const conf = path.join(work, 'softhsm2.conf');
  fs.writeFileSync(conf, `directories.tokendir = ${path.join(work, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  return { tb: readTestbedEnv(), conf, crls: [path.join(crlDir, 'inter.crl.pem'), path.join(crlDir, 'root.crl.pem')] };
}

/**
 * A configured profile's images in `dataDir/images`: the leader's signature (blue) and the
 * agency's seal (red, 36 mm), drawn by tests/fixtures/stamps/make-images.py and prepared
 * by `kyso image prepare` as Thiết bị → Ảnh chữ ký / Ảnh con dấu does.
 */
export function prepareStampImages(work, dataDir) {
  const raw = path.join(work, 'raw-images');
  fs.mkdirSync(path.join(dataDir, 'images'), { recursive: true });
  fs.mkdirSync(raw);
  execFileSync('python3', [path.join(REPO_ROOT, 'tests/fixtures/stamps/make-images.py'), raw]);
  execFileSync(KYSO, ['image', 'prepare', path.join(raw, 'signature.png'), '-o', path.join(dataDir, 'images/signature.png'), '--ink', 'blue']);
  execFileSync(KYSO, ['image', 'prepare', path.join(raw, 'seal.png'), '-o', path.join(dataDir, 'images/seal.png'), '--ink', 'red', '--size-mm', '36']);
}

const live = new Set(); // process groups still to kill: { pid, name }

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

// Last resort: whatever is still alive when node exits (a crash, an assert
// thrown past teardown, Ctrl-C) is SIGKILLed synchronously.
process.on('exit', () => {
  for (const p of live) killGroup(p.pid, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    for (const p of live) killGroup(p.pid, 'SIGKILL');
    process.exit(128 + (os.constants.signals[sig] || 1));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v "${cmd}"`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Spawns `cmd` as a process-group leader, output appended to `logFile`. */
function spawnGroup(name, cmd, args, { env, logFile, extraStdio = [] } = {}) {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, {
    env,
    detached: true,
    stdio: ['ignore', fd, fd, ...extraStdio],
  });
  fs.closeSync(fd);
  const entry = { pid: child.pid, name };
  live.add(entry);
  let exited = false;
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      exited = true;
      resolve({ code: null, signal: null, error: err });
    });
  });
  return {
    name,
    child,
    pid: child.pid,
    exit,
    get exited() {
      return exited;
    },
    /** SIGTERM the group, SIGKILL after `graceMs`. Never throws. */
    async stop(graceMs = 3000) {
      if (child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      const t = await Promise.race([exit.then(() => 'exited'), sleep(graceMs).then(() => 'timeout')]);
      // The leader may be gone while children (e.g. WebKitWebDriver, the app)
      // in its group still run: always finish with SIGKILL to the group.
      killGroup(child.pid, 'SIGKILL');
      if (t === 'timeout') await Promise.race([exit, sleep(1000)]);
      live.delete(entry);
    },
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts Xvfb on a free display. `-displayfd` makes Xvfb pick the first free
 * display number itself (no lock-file races between parallel builders) and
 * write it to the given fd once it accepts connections, so this is also the
 * readiness signal.
 */
export async function startXvfb({ logFile, timeoutMs = 20000 } = {}) {
  if (!which('Xvfb')) throw new Error('Xvfb not found (apt: xvfb; scripts/setup-desktop-deps.sh)');
  const proc = spawnGroup(
    'Xvfb',
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp', '-noreset'],
    { env: process.env, logFile, extraStdio: ['pipe'] },
  );
  const display = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb gave no display in ${timeoutMs} ms; see ${logFile}`)), timeoutMs);
    proc.child.stdio[3].on('data', (d) => {
      buf += d.toString();
      const m = buf.match(/^(\d+)\s/);
      if (m) {
        clearTimeout(timer);
        resolve(`:${m[1]}`);
      }
    });
    proc.exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code ?? signal}); see ${logFile}`));
    });
  });
  proc.child.stdio[3].destroy();
  return { ...proc, display, stop: proc.stop };
}

async function httpGetJson(url, timeoutMs = 2000) {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { signal: ctl.signal });
    const body = await res.json().catch(() => null);
    return { status: res.status, body };
  } finally {
    clearTimeout(t);
  }
}

/**
 * Starts tauri-driver (which starts WebKitWebDriver) and waits until GET /status
 * answers through it, i.e. both are listening. The app inherits this process's
 * environment (WebKitWebDriver launches it), so the app's env goes here.
 */
export async function startTauriDriver({ env, logFile, timeoutMs = 30000 }) {
  const bin = process.env.E2E_TAURI_DRIVER || which('tauri-driver') ||
    path.join(os.homedir(), '.cargo/bin/tauri-driver');
  if (!fs.existsSync(bin)) {
    throw new Error('tauri-driver not found: cargo install tauri-driver --locked');
  }
  if (!which('WebKitWebDriver')) throw new Error('WebKitWebDriver not found (apt: webkit2gtk-driver)');
  // Both ports are picked free right before the start; a lost race shows up as
  // tauri-driver exiting, and we retry with new ports.
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    let nativePort = await freePort();
    while (nativePort === port) nativePort = await freePort();
    let cmd = bin;
    let args = ['--port', String(port), '--native-port', String(nativePort)];
    if (env.__E2E_DBUS_RUN_SESSION) {
      args = ['--', cmd, ...args];
      cmd = env.__E2E_DBUS_RUN_SESSION;
    }
    const childEnv = { ...env };
    delete childEnv.__E2E_DBUS_RUN_SESSION;
    const proc = spawnGroup('tauri-driver', cmd, args, { env: childEnv, logFile });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !proc.exited) {
      try {
        const { status, body } = await httpGetJson(`http://127.0.0.1:${port}/status`);
        if (status === 200 && body?.value?.ready !== false) return { ...proc, port, nativePort, stop: proc.stop };
      } catch {
        /* not up yet */
      }
      await sleep(100);
    }
    lastErr = new Error(`tauri-driver not ready on port ${port} (native ${nativePort}); see ${logFile}`);
    await proc.stop(1000);
  }
  throw lastErr;
}

/** Creates a fresh temporary directory under the OS temp dir. */
export function tempDir(prefix = 'kyso-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Writes a minimal valid one-page PDF (the current shell only checks that the
 * file exists and ends in .pdf; later tests may need a real page).
 */
export function writeTinyPdf(file, text = 'KySo e2e') {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null, // content stream, below
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = `BT /F1 24 Tf 72 760 Td (${text.replace(/[()\\]/g, '\\$&')}) Tj ET`;
  objs[3] = `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
  let out = '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  fs.writeFileSync(file, Buffer.from(out, 'latin1'));
  return file;
}

function safeName(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '-');
}

/**
 * Starts everything and returns a live session:
 *   { browser, display, dataDir, tmp, logDir, timings, screenshot(name),
 *     screenshotDisplay(name), windowTitles(), close() }
 *
 * opts.args  – command-line arguments for the app (e.g. PDF paths)
 * opts.env   – extra env for the app (KYSO_DATA_DIR defaults to a fresh temp dir;
 *              KYSO_TEST_* from the caller's environment are passed through)
 * opts.name  – label used for the artefact files
 */
export async function startApp({ args = [], env = {}, name = 'session', app = APP_PATH } = {}) {
  if (!fs.existsSync(app)) throw new Error(`app binary not found: ${app} (cargo build -p kyso-desktop)`);
  const tag = `${safeName(name)}-${Date.now().toString(36)}`;
  const logDir = path.join(ARTIFACTS_DIR, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const tmp = tempDir();
  const dataDir = path.join(tmp, 'kyso-data');
  fs.mkdirSync(dataDir);

  const stops = []; // run in reverse on close()
  const session = {
    browser: null,
    display: null,
    tmp,
    dataDir,
    logDir,
    timings: {},
    driverLog: path.join(logDir, `${tag}.tauri-driver.log`),
    xvfbLog: path.join(logDir, `${tag}.xvfb.log`),
  };

  let closed = false;
  session.close = async () => {
    if (closed) return;
    closed = true;
    if (session.browser) {
      // Ends the WebDriver session; WebKitWebDriver then closes the app.
      await Promise.race([session.browser.deleteSession().catch(() => {}), sleep(5000)]);
    }
    for (const stop of stops.reverse()) await stop().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  };

  try {
    let display = process.env.DISPLAY;
    if (process.env.E2E_USE_DISPLAY !== '1' || !display) {
      const xvfb = await startXvfb({ logFile: session.xvfbLog });
      stops.push(() => xvfb.stop());
      display = xvfb.display;
    }
    session.display = display;

    const appEnv = {
      ...process.env,
      DISPLAY: display,
      LANG: process.env.LANG || 'C.UTF-8',
      LC_ALL: process.env.LC_ALL || 'C.UTF-8',
      // No accessibility bus under Xvfb: keeps GTK from waiting on / warning about it.
      NO_AT_BRIDGE: '1',
      // Each session gets its own XDG dirs so WebKit caches, local storage and
      // Tauri's app data never leak between tests or from the developer's profile.
      HOME: path.join(tmp, 'home'),
      XDG_CONFIG_HOME: path.join(tmp, 'xdg/config'),
      XDG_DATA_HOME: path.join(tmp, 'xdg/data'),
      XDG_CACHE_HOME: path.join(tmp, 'xdg/cache'),
      XDG_RUNTIME_DIR: path.join(tmp, 'xdg/run'),
      KYSO_DATA_DIR: dataDir,
      // Debug builds only: lets dropFiles() stand in for the operating system's drop.
      KYSO_E2E_OS_DROP: '1',
      // The e-office bridge on a port of its own (not 8987: parallel runs and a
      // developer's running app must not collide); the E-office screen shows it.
      KYSO_BRIDGE_LISTEN: '127.0.0.1:0',
      ...env,
    };
    // tauri-driver itself lives in ~/.cargo/bin; keep finding it with the new HOME.
    for (const d of ['home', 'xdg/config', 'xdg/data', 'xdg/cache', 'xdg/run']) {
      fs.mkdirSync(path.join(tmp, d), { recursive: true, mode: 0o700 });
    }
    if (process.env.E2E_SOFTWARE_GL !== '0') {
      // Xvfb has no GPU; Mesa falls back to llvmpipe anyway, this only makes it
      // explicit. Do NOT set WEBKIT_DISABLE_COMPOSITING_MODE=1 or
      // WEBKIT_DISABLE_DMABUF_RENDERER=1 here: with WebKitGTK 2.50 either one makes
      // WebDriver "Take Screenshot" hang forever (rendering itself is fine without them).
      appEnv.LIBGL_ALWAYS_SOFTWARE ??= '1';
    }
    // The host's session bus is never used. With E2E_DBUS=1 the driver and app get
    // a private one (dbus-run-session): it works, but D-Bus activation then starts
    // xdg-desktop-portal & co. and a start costs ~0.3 s more. Without a bus GTK and
    // WebKit run fine (a11y is off via NO_AT_BRIDGE). A test that brings its own bus
    // passes it in `env` (02-single-instance).
    if (!env.DBUS_SESSION_BUS_ADDRESS) delete appEnv.DBUS_SESSION_BUS_ADDRESS;
    if (process.env.E2E_DBUS === '1') {
      const drs = which('dbus-run-session');
      if (drs) appEnv.__E2E_DBUS_RUN_SESSION = drs;
    }
    // dbus-run-session, tauri-driver and WebKitWebDriver are found through the
    // original PATH; `~/.cargo/bin` of the real HOME is added in case PATH lacks it.
    appEnv.PATH = [process.env.PATH, path.join(os.homedir(), '.cargo/bin')].filter(Boolean).join(':');

    const driver = await startTauriDriver({ env: appEnv, logFile: session.driverLog });
    stops.push(() => driver.stop());
    session.driverPort = driver.port;

    const t0 = performance.now();
    session.browser = await remote({
      hostname: '127.0.0.1', // tauri-driver listens on 127.0.0.1 only, and forwards to the same host
      port: driver.port,
      path: '/',
      logLevel: process.env.E2E_LOG_LEVEL || 'error',
      connectionRetryTimeout: Number(process.env.E2E_REQUEST_TIMEOUT_MS) || 60000,
      connectionRetryCount: 0,
      waitforTimeout: 15000,
      capabilities: {
        browserName: 'wry', // what wry reports to WebKitWebDriver (its crate name)
        'tauri:options': { application: app, args: args.map(String) },
        // WebKitWebDriver speaks WebDriver classic; do not ask for a BiDi socket.
        'wdio:enforceWebDriverClassic': true,
      },
    });
    session.timings.sessionMs = performance.now() - t0;
    session.timings.t0 = t0;
  } catch (err) {
    await session.close();
    err.message += `\n  logs: ${session.driverLog}`;
    throw err;
  }

  session.screenshot = async (label) => {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${safeName(label)}.png`);
    // WebKitWebDriver snapshots the last painted frame: right after a DOM change
    // that is the old one. Let two animation frames pass first (bounded).
    await session.browser.execute(
      () => new Promise((r) => {
        setTimeout(r, 1000);
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)));
      }),
    );
    await session.browser.saveScreenshot(file);
    return file;
  };
  /** Whole X screen (window frame included), needs ImageMagick `import`. */
  session.screenshotDisplay = (label) => {
    if (!which('import')) return null;
    const file = path.join(ARTIFACTS_DIR, `${safeName(label)}.display.png`);
    const r = spawnSync('import', ['-display', session.display, '-window', 'root', file], { timeout: 15000 });
    return r.status === 0 ? file : null;
  };
  /** Titles of the visible top-level X windows on our display (needs xdotool). */
  session.windowTitles = () => {
    if (!which('xdotool')) return null;
    const env = { ...process.env, DISPLAY: session.display };
    const ids = spawnSync('xdotool', ['search', '--onlyvisible', '--name', '.'], { env, encoding: 'utf8' });
    return (ids.stdout || '')
      .split('\n')
      .filter(Boolean)
      .map((id) => spawnSync('xdotool', ['getwindowname', id], { env, encoding: 'utf8' }).stdout.trim())
      .filter(Boolean);
  };
  return session;
}

/**
 * A file drop as the operating system makes it. WebDriver cannot make a native
 * (GTK/XDND) drop, so this sends `kyso-e2e://os-drop` `{ paths }`, which a debug build
 * started with KYSO_E2E_OS_DROP=1 (startApp sets it) hands to the same code as the
 * window's real drop event: the shell mints handles and emits `files-dropped` to the
 * page. Release builds have no such door.
 */
export async function dropFiles(browser, paths) {
  const res = await browser.execute(async (paths) => {
    try {
      await window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event: 'kyso-e2e://os-drop', payload: { paths } });
      return { ok: true };
    } catch (e) {
      return { error: String(e && e.message ? e.message : e) };
    }
  }, paths.map(String));
  if (res && res.error) throw new Error(`dropFiles: ${res.error}`);
}

/**
 * What a script in the page could do to fake a drop: Tauri's own drag-drop events
 * (`tauri://drag-enter|over|drop` with paths), emitted from the page. The app must
 * not take files from them (least power). Returns the label they were sent to.
 */
export async function forgeDragDropEvents(browser, paths, { position = { x: 10, y: 10 } } = {}) {
  const res = await browser.execute(
    async (paths, position) => {
      const internals = window.__TAURI_INTERNALS__;
      const label = internals.metadata.currentWebview.label;
      const target = { kind: 'AnyLabel', label };
      try {
        for (const [event, payload] of [['tauri://drag-enter', { paths, position }], ['tauri://drag-over', { position }], ['tauri://drag-drop', { paths, position }]]) {
          await internals.invoke('plugin:event|emit_to', { target, event, payload });
        }
      } catch (e) {
        return { error: String(e && e.message ? e.message : e) };
      }
      return { label };
    },
    paths.map(String),
    position,
  );
  if (res && res.error) throw new Error(`forgeDragDropEvents: ${res.error}`);
  return res.label;
}

/**
 * Resident memory of the app: the newest `kyso-desktop` process that is not a token
 * agent, and all its descendants (WebKit's web and network processes), from `ps`.
 * Returns { totalKiB (RSS), totalPssKiB, parts: [{ pid, comm, agent, rssKiB, pssKiB }] } or null.
 */
export function appMemory() {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,rss=,etimes=,args='], { encoding: 'utf8' });
  if (ps.status !== 0) return null;
  const procs = ps.stdout.split('\n').filter(Boolean).map((l) => {
    const m = l.trim().match(/^(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/);
    return m && { pid: +m[1], ppid: +m[2], rss: +m[3], age: +m[4], args: m[5] };
  }).filter(Boolean);
  const exe = (p) => p.args.split(/\s+/)[0].split('/').pop();
  const apps = procs.filter((p) => exe(p) === 'kyso-desktop' && !p.args.includes('--agent'));
  if (!apps.length) return null;
  const root = apps.sort((a, b) => a.age - b.age)[0];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const p of procs) if (p.ppid === tree[i].pid) tree.push(p);
  // PSS (proportional set size) splits shared pages (WebKit, GTK, Mesa libraries) between
  // the processes that map them, so the sum is what the app really costs.
  const pss = (pid) => {
    try {
      const m = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
      return m ? +m[1] : null;
    } catch { return null; }
  };
  const parts = tree.map((p) => ({ pid: p.pid, comm: p.args.split(/\s+/)[0].split('/').pop(), agent: p.args.includes('--agent'), rssKiB: p.rss, pssKiB: pss(p.pid) }));
  const sum = (k) => parts.reduce((a, p) => a + (p[k] || 0), 0);
  return { totalKiB: sum('rssKiB'), totalPssKiB: sum('pssKiB'), parts };
}

/**
 * Wait for the PIN window (the app's second window), switch to it, wait there until
 * `ready()` says it shows its request, run `fn(main)` in it, and switch back to the
 * main window whatever happens. `openTimeout`: how long the window may take to open.
 */
export async function inPinWindow(browser, ready, fn, { openTimeout = 30000 } = {}) {
  const main = await browser.getWindowHandle();
  let pin;
  await browser.waitUntil(async () => {
    pin = (await browser.getWindowHandles()).find((h) => h !== main);
    return !!pin;
  }, { timeout: openTimeout, timeoutMsg: 'the PIN window never opened' });
  await browser.switchToWindow(pin);
  try {
    await ready();
    return await fn(main);
  } finally {
    await browser.switchToWindow(main);
  }
}
