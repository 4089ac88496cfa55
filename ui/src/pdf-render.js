// pdf.js: open the bytes from read_pdf and draw one page onto a canvas.
// The worker is bundled with the app (CSP worker-src 'self'); no eval.
import { GlobalWorkerOptions, getDocument } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { fitScale } from './geometry.js';

GlobalWorkerOptions.workerSrc = workerUrl;

function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return Uint8Array.from(data); // Vec<u8> sent as JSON
  if (data && data.buffer instanceof ArrayBuffer) return new Uint8Array(data.buffer);
  throw new Error('read_pdf returned no bytes');
}

/** Open a PDF; returns the pdf.js document proxy (call .destroy() when done). */
export async function openPdf(data) {
  const task = getDocument({
    data: toBytes(data),
    isEvalSupported: false,
    enableXfa: false,
    disableAutoFetch: true,
    stopAtErrors: false,
  });
  return task.promise;
}

/** The render in progress per canvas. */
const running = new WeakMap();

/**
 * Draw page `pageNumber` (1-based) into `canvas`, as wide as `widthPx`.
 * Returns the pdf.js viewport (CSS pixels) for the stamp overlay, or null when a
 * newer draw into the same canvas cancelled this one.
 */
export async function renderPage(pdf, pageNumber, canvas, widthPx) {
  const page = await pdf.getPage(pageNumber);
  const base = page.getViewport({ scale: 1 });
  const viewport = page.getViewport({ scale: fitScale(base.width, widthPx) });
  // At least two canvas pixels per CSS pixel: the small text of a blank filled in by the
  // clerk (a number, a day) stays legible on a 1x screen.
  const dpr = Math.min(Math.max(globalThis.devicePixelRatio || 1, 2), 3);
  canvas.width = Math.floor(viewport.width * dpr);
  canvas.height = Math.floor(viewport.height * dpr);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  const transform = dpr !== 1 ? [dpr, 0, 0, dpr, 0, 0] : undefined;
  // One render per canvas at a time: a newer request cancels the older one
  // (pdf.js refuses two renders into one canvas).
  const previous = running.get(canvas);
  if (previous) {
    previous.cancel();
    await previous.promise.catch(() => {});
  }
  const task = page.render({ canvas, viewport, transform });
  running.set(canvas, task);
  try {
    await task.promise;
  } catch (e) {
    if (e && e.name === 'RenderingCancelledException') return null;
    throw e;
  } finally {
    if (running.get(canvas) === task) running.delete(canvas);
    page.cleanup();
  }
  return viewport;
}
