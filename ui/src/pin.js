// PIN tries: one vocabulary from the token to the screen, the core's `PinTries`
// (`unknown | low | finalTry | locked`), found in an AppError's `pinTries` and in a
// token's `pinStatus.tries`.
import { t, getLang } from './i18n.js';

/** @typedef {import('./bindings').PinTries} PinTries */

const LEVELS = ['unknown', 'low', 'finalTry', 'locked'];

/** The PinTries of an AppError's `pinTries` or a token's `pinStatus` (null when absent). */
export function triesOf(value) {
  if (value == null) return null;
  const v = typeof value === 'object' ? value.tries : value;
  return LEVELS.includes(v) ? v : null;
}

/** { level, message, blocked } for the PIN window; `blocked` when the token is locked. */
export function triesInfo(value, lang = getLang()) {
  const level = triesOf(value);
  if (!level) return { level: null, message: '', blocked: false };
  return { level, message: t('pin.tries.' + level, {}, lang), blocked: level === 'locked' };
}

export const PIN_MIN = 4;
export const PIN_MAX = 32;

/** Check a change-PIN form; returns an i18n message or '' when fine. */
export function changePinProblem(oldPin, newPin, confirm, lang = getLang()) {
  if (!oldPin || !newPin) return t('pin.empty', {}, lang);
  if (newPin.length < PIN_MIN || newPin.length > PIN_MAX) return t('pin.tooShort', { min: PIN_MIN, max: PIN_MAX }, lang);
  if (newPin !== confirm) return t('pin.mismatch', {}, lang);
  if (newPin === oldPin) return t('pin.same', {}, lang);
  return '';
}
