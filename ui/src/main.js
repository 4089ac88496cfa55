// KýSố web UI: navigation, language, banners, start-up (opened files, expiring
// certificates), files opened later and drag and drop.
import './style.css';
import { call, on, setBackend } from './api.js';
import { t, setLang, getLang, detectLang, applyStatic } from './i18n.js';
import { initErrorBanner, showError, refreshError } from './notify.js';
import { expiryBannerText } from './certs.js';
import { createSignScreen } from './screens/sign.js';
import { createClerkScreen } from './screens/clerk.js';
import { createInboxScreen } from './screens/inbox.js';
import { createArchiveScreen } from './screens/archive.js';
import { createDevicesScreen } from './screens/devices.js';
import { createReportsScreen } from './screens/reports.js';
import { createBridgeScreen } from './screens/bridge.js';

const SCREEN_ROLE = { sign: 'sign', clerk: 'seal', inbox: 'incoming' };
const ROLE_SCREEN = { sign: 'sign', seal: 'clerk', incoming: 'inbox' };

const state = { current: 'sign', screens: {}, expiring: [], info: null };

const ctx = {
  navigate: (name) => navigate(name),
  /** add_documents with the role (files: FileRef handles the shell minted);
   * incoming ones are checked at once. */
  async addFiles(files, role) {
    if (!files || !files.length) return [];
    if (role === 'incoming') {
      await navigate('inbox');
      await state.screens.inbox.addFiles(files);
      return [];
    }
    let docs = [];
    try {
      docs = await call('add_documents', { files: files.map((f) => f.handle), role });
    } catch (e) { showError(e); return []; }
    const screen = ROLE_SCREEN[role] || 'sign';
    await navigate(screen);
    if (screen === 'sign' && docs.length) await state.screens.sign.select(docs[0].id);
    return docs;
  },
  async pickAndAdd(role) {
    try {
      const files = await call('pick_files', {});
      await ctx.addFiles(files || [], role);
    } catch (e) { showError(e); }
  },
};

function renderExpiryBanner() {
  const el = document.querySelector('[data-testid="expiry-banner"]');
  const text = expiryBannerText(state.expiring);
  el.querySelector('.banner-text').textContent = text;
  el.hidden = !text;
}

function renderChrome() {
  applyStatic(document);
  const toggle = document.querySelector('[data-testid="lang-toggle"]');
  toggle.textContent = t('lang.toggle');
  toggle.title = t('lang.toggleTitle');
  toggle.setAttribute('lang', getLang() === 'vi' ? 'en' : 'vi');
  document.title = `KýSố — ${t('app.tagline')}`;
  const v = document.getElementById('version');
  v.textContent = state.info && state.info.version ? t('common.version', { v: state.info.version }) : '';
  renderExpiryBanner();
  refreshError();
}

async function navigate(name) {
  if (!state.screens[name]) return;
  state.current = name;
  for (const btn of document.querySelectorAll('.nav-btn')) {
    const on = btn.dataset.screen === name;
    btn.setAttribute('aria-selected', String(on));
    btn.classList.toggle('active', on);
  }
  for (const [key, scr] of Object.entries(state.screens)) scr.el.hidden = key !== name;
  await state.screens[name].show();
}

async function start() {
  setLang(detectLang());
  initErrorBanner();
  const main = document.getElementById('main');
  state.screens = {
    sign: createSignScreen(ctx),
    clerk: createClerkScreen(ctx),
    inbox: createInboxScreen(ctx),
    archive: createArchiveScreen(ctx),
    devices: createDevicesScreen(ctx),
    reports: createReportsScreen(ctx),
    bridge: createBridgeScreen(ctx),
  };
  for (const scr of Object.values(state.screens)) { scr.el.hidden = true; main.append(scr.el); }
  for (const btn of document.querySelectorAll('.nav-btn')) {
    btn.addEventListener('click', () => navigate(btn.dataset.screen));
  }
  document.querySelector('[data-testid="lang-toggle"]').addEventListener('click', () => {
    setLang(getLang() === 'vi' ? 'en' : 'vi');
    renderChrome();
    for (const scr of Object.values(state.screens)) scr.render();
  });
  document.querySelector('[data-testid="expiry-banner"] .banner-close').addEventListener('click', () => {
    document.querySelector('[data-testid="expiry-banner"]').hidden = true;
  });
  // Files come as handles the shell minted: a later launch, or a drop the operating
  // system made (the shell listens to the real drop; a page cannot forge one).
  // Listening starts before the first screen loads (its certificates come through the
  // token helper, which takes a moment): a drop made meanwhile is not lost.
  on('files-opened', (p) => ctx.addFiles((p && p.files) || [], 'sign'));
  on('files-dropped', (p) => ctx.addFiles((p && p.files) || [], SCREEN_ROLE[state.current] || 'sign'));
  watchBridge();
  renderChrome();
  await navigate('sign');

  call('app_info').then((info) => { state.info = info; renderChrome(); }).catch(() => {});
  call('expiring_certificates', { days: 30 })
    .then((certs) => { state.expiring = certs || []; renderExpiryBanner(); })
    .catch(() => {});

  try {
    const opened = await call('opened_files');
    if (opened && opened.length) await ctx.addFiles(opened, 'sign');
  } catch (e) { showError(e); }
}

/** The e-office bridge: its start or failure (a held port is shown, never fatal), the
 * documents web pages send (the lists refresh), a page asking for the settings. */
function watchBridge() {
  const bridgeStatus = (st) => {
    state.screens.bridge.setStatus(st);
    if (st && st.state === 'failed' && st.error) showError(st.error);
  };
  on('bridge-status', bridgeStatus);
  call('bridge_status').then(bridgeStatus).catch(() => {});
  let timer = null;
  on('queue-changed', () => {
    // A call sends several changes in a row: refresh once they settle.
    clearTimeout(timer);
    timer = setTimeout(() => {
      const scr = state.screens[state.current];
      if (scr && scr.refreshList) scr.refreshList();
      else if (state.current === 'inbox') scr.show();
    }, 250);
  });
  on('open-screen', (name) => navigate(typeof name === 'string' ? name : 'devices'));
}

async function boot() {
  if (import.meta.env.DEV && new URLSearchParams(location.search).has('mock')) {
    const { mockBackend } = await import('./mock.js');
    setBackend(mockBackend());
    await start();
    const q = new URLSearchParams(location.search);
    if (q.get('lang')) { setLang(q.get('lang')); renderChrome(); for (const scr of Object.values(state.screens)) scr.render(); }
    if (q.get('screen')) await navigate(q.get('screen'));
    if (q.get('doc')) await state.screens.sign.select(Number(q.get('doc')));
    return;
  }
  await start();
}

boot().catch((e) => showError(e));
