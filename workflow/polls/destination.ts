/**
 * Where a one-time code goes, in the one spelling that counts. "8 (913) 123-45-67", "+7 913 1234567" and
 * "79131234567" are one phone; "Ivan.Petrov+polls@Gmail.com" and "ivanpetrov@gmail.com" one mailbox. Limits and
 * identities are keyed by this form, so a second spelling is neither a fresh code budget nor a second vote.
 */

/** Characters people write phone numbers with; anything else (letters, a second number) is not a phone number. */
const PHONE_CHARS = /^\+?[\d\s().-]+$/;

/**
 * E.164 (`+79131234567`) or undefined. Russian forms: 8XXXXXXXXXX, 7XXXXXXXXXX, +7…, ten digits without the trunk
 * prefix; 810… (Russian international prefix) and 00… become `+…`; other numbers need their country code.
 */
export function canonicalPhone(input: string): string | undefined {
  const s = input.trim();
  if (s.length > 40 || !PHONE_CHARS.test(s)) return undefined;
  const plus = s.startsWith('+');
  let digits = s.replace(/\D/g, '');
  if (!plus) {
    if (digits.length === 11 && (digits.startsWith('8') || digits.startsWith('7'))) digits = `7${digits.slice(1)}`;
    else if (digits.length === 10) digits = `7${digits}`;
    else if (digits.startsWith('810')) digits = digits.slice(3);
    else if (digits.startsWith('00')) digits = digits.slice(2);
  } else if (digits.length === 11 && digits.startsWith('89')) {
    // "+8 913 …": a Russian mobile written with the trunk prefix after a plus, a common slip (no country code is 89).
    digits = `7${digits.slice(1)}`;
  }
  if (digits.startsWith('7') && digits.length !== 11) return undefined;
  return /^[1-9]\d{9,14}$/.test(digits) ? `+${digits}` : undefined;
}

/**
 * local@domain.tld: one @, no whitespace, 1–64 characters before the @, and a dot in the domain with 1–255
 * characters before it and at least two after. Scanned rather than matched: as a regular expression the dots of the
 * domain could be split between its parts in every way, which a backtracking engine tries one by one.
 */
function isEmailAddress(e: string): boolean {
  const at = e.indexOf('@');
  if (at < 1 || at > 64 || e.indexOf('@', at + 1) !== -1 || /\s/.test(e)) return false;
  const firstDot = e.indexOf('.', at + 2);
  return firstDot !== -1 && firstDot - at - 1 <= 255 && e.length - firstDot - 1 >= 2;
}

/** The address to deliver to: trimmed and lower-cased (providers treat addresses case-insensitively), or undefined. */
export function emailAddress(input: string): string | undefined {
  const e = input.trim().toLowerCase().replace(/\.$/, '');
  return e.length <= 320 && isEmailAddress(e) ? e : undefined;
}

/** Domains of one mailbox: Gmail's and Yandex's aliases. */
const DOMAIN_ALIASES: Record<string, string> = {
  'googlemail.com': 'gmail.com',
  'ya.ru': 'yandex.ru',
  'yandex.com': 'yandex.ru',
  'yandex.by': 'yandex.ru',
  'yandex.kz': 'yandex.ru',
  'yandex.ua': 'yandex.ru',
  'narod.ru': 'yandex.ru',
};

/**
 * The mailbox an address reaches, as an identity: sub-addresses (`name+tag@`) are dropped, Gmail ignores dots in the
 * name, Yandex treats `.` and `-` alike and answers under several domains.
 */
export function canonicalMailbox(address: string): string {
  const at = address.lastIndexOf('@');
  let name = address.slice(0, at);
  const domain = DOMAIN_ALIASES[address.slice(at + 1)] ?? address.slice(at + 1);
  const plus = name.indexOf('+');
  if (plus > 0) name = name.slice(0, plus);
  if (domain === 'gmail.com') name = name.replaceAll('.', '');
  if (domain === 'yandex.ru') name = name.replaceAll('.', '-');
  return `${name}@${domain}`;
}

export type CodeChannel = 'phone' | 'email';

/** Where to send the code, and the key its limit and the voter's identity are counted under; undefined when invalid. */
export function codeDestination(channel: CodeChannel, input: string): { deliverTo: string; key: string } | undefined {
  if (channel === 'phone') {
    const phone = canonicalPhone(input);
    return phone ? { deliverTo: phone, key: phone } : undefined;
  }
  const address = emailAddress(input);
  return address ? { deliverTo: address, key: canonicalMailbox(address) } : undefined;
}
