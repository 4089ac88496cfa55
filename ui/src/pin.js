// PIN tries: the AppError's `pinTries` (ok|few|final|locked) and the token's
// pinStatus ({tries: unknown|low|finalTry|locked, countLow, finalTry, locked, …}).
import { t, getLang } from './i18n.js';

const ALIASES = {
  ok: 'ok', unknown: 'ok', normal: 'ok',
  few: 'few', low: 'few', countLow: 'few',
  final: 'final', finalTry: 'final', final_try: 'final',
  locked: 'locked',
};

/** Normalise either vocabulary to ok | few | final | locked (null when not known). */
export function normaliseTries(value) {
  if (value == null) return null;
  if (typeof value === 'object') {
    if (value.locked) return 'locked';
    if (value.finalTry) return 'final';
    if (value.countLow) return 'few';
    if (value.tries) return normaliseTries(value.tries);
    return 'ok';
  }
  return ALIASES[value] || null;
}

/** { level, message, blocked } for the PIN dialog; `blocked` when the token is locked. */
export function triesInfo(value, lang = getLang()) {
  const level = normaliseTries(value);
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

/** Is this AppError about the PIN (so the dialog should be offered again)? */
export function isPinError(err) {
  return !!(err && typeof err === 'object' && (err.pinTries != null || /pin/.test(err.kind || '')));
}
