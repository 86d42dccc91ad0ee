import type { Buttons } from '../dialog/dialog.js';

/** The dialog's buttons as a MAX inline keyboard attachment (`callback` buttons carry `payload`). */
export function maxKeyboard(buttons: Buttons) {
  return { type: 'inline_keyboard' as const,
    payload: { buttons: buttons.map((row) => row.map((b) => ({ type: 'callback' as const, text: b.text, payload: b.data }))) } };
}

/** MAX takes up to 4,000 characters a message; a longer answer goes out in parts, the buttons under the last. */
export const MAX_TEXT_LIMIT = 4000;

export function splitText(text: string, limit = MAX_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = rest.lastIndexOf('\n', limit) > limit / 2 ? rest.lastIndexOf('\n', limit) : limit;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  return [...parts, rest];
}
