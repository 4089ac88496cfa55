// Stamp overlay geometry: the core works in millimetres from the page's top-left
// corner (boxMm = [x, y, w, h], pageSizeMm = [w, h]); the canvas in CSS pixels.

/** Pixels per millimetre on each axis for a pdf.js viewport of the page. */
export function scaleOf(viewport, pageSizeMm) {
  const [wMm, hMm] = pageSizeMm;
  if (!(wMm > 0) || !(hMm > 0)) throw new Error('pageSizeMm must be positive');
  return { x: viewport.width / wMm, y: viewport.height / hMm };
}

/** [x, y, w, h] in mm → { left, top, width, height } in px. */
export function mmToPx(boxMm, viewport, pageSizeMm) {
  const s = scaleOf(viewport, pageSizeMm);
  const [x, y, w, h] = boxMm;
  return { left: x * s.x, top: y * s.y, width: w * s.x, height: h * s.y };
}

/** A point in px → [x, y] in mm. */
export function pxToMm(left, top, viewport, pageSizeMm) {
  const s = scaleOf(viewport, pageSizeMm);
  return [left / s.x, top / s.y];
}

/** Keep a box of size w×h (mm) whose top-left is [x, y] inside the page. */
export function clampBox(x, y, w, h, pageSizeMm) {
  const [pw, ph] = pageSizeMm;
  const cx = Math.min(Math.max(0, x), Math.max(0, pw - w));
  const cy = Math.min(Math.max(0, y), Math.max(0, ph - h));
  return [cx, cy];
}

/**
 * New top-left (mm) of a box dragged by (dxPx, dyPx) from its start position,
 * clamped to the page and rounded to 0.1 mm.
 */
export function dragTo(startBoxMm, dxPx, dyPx, viewport, pageSizeMm) {
  const s = scaleOf(viewport, pageSizeMm);
  const [x, y, w, h] = startBoxMm;
  const [cx, cy] = clampBox(x + dxPx / s.x, y + dyPx / s.y, w, h, pageSizeMm);
  return [Math.round(cx * 10) / 10, Math.round(cy * 10) / 10];
}

/** Scale that fits a page of `pageWidthPt` points into `containerPx` pixels. */
export function fitScale(pageWidthPt, containerPx, min = 0.5, max = 2.5) {
  if (!(pageWidthPt > 0) || !(containerPx > 0)) return 1;
  return Math.min(max, Math.max(min, containerPx / pageWidthPt));
}
