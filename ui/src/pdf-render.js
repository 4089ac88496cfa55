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

/**
 * Draw page `pageNumber` (1-based) into `canvas`, as wide as `widthPx`.
 * Returns the pdf.js viewport (CSS pixels) for the stamp overlay.
 */
export async function renderPage(pdf, pageNumber, canvas, widthPx) {
  const page = await pdf.getPage(pageNumber);
  const base = page.getViewport({ scale: 1 });
  const viewport = page.getViewport({ scale: fitScale(base.width, widthPx) });
  const dpr = Math.min(globalThis.devicePixelRatio || 1, 3);
  canvas.width = Math.floor(viewport.width * dpr);
  canvas.height = Math.floor(viewport.height * dpr);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  const transform = dpr !== 1 ? [dpr, 0, 0, dpr, 0, 0] : undefined;
  await page.render({ canvas, viewport, transform }).promise;
  page.cleanup();
  return viewport;
}
