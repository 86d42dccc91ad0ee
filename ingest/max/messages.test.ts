import { describe, expect, it } from 'vitest';
import { ratingButtons } from '../dialog/dialog.js';
import { maxKeyboard, splitText } from './messages.js';

describe('MAX messages', () => {
  it('splits a text over 4,000 characters at a line break where it can, losing nothing', () => {
    const text = `${'а'.repeat(3000)}\n${'б'.repeat(3000)}\n${'в'.repeat(3000)}`;
    const parts = splitText(text);
    expect(parts.map((p) => p.length)).toEqual([3000, 3000, 3000]);
    expect(parts.join('\n')).toBe(text);
    const solid = 'г'.repeat(9000);
    expect(splitText(solid).map((p) => p.length)).toEqual([4000, 4000, 1000]);
    expect(splitText('коротко')).toEqual(['коротко']);
  });

  it('makes callback buttons whose payload comes back in the press', () => {
    const k = maxKeyboard(ratingButtons('00000000-0000-4000-8000-000000000001'));
    expect(k.type).toBe('inline_keyboard');
    expect(k.payload.buttons[0]!.map((b) => [b.type, b.text, b.payload])[4]).toEqual(['callback', '5', 'rate:00000000-0000-4000-8000-000000000001:5']);
  });
});
