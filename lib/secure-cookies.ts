import type { RequestHandler } from 'express';

/** A Set-Cookie value with `Secure` added where it is missing. */
export function withSecureFlag(cookie: string): string {
  return /;\s*secure\s*(;|$)/i.test(cookie) ? cookie : `${cookie}; Secure`;
}

/**
 * Every cookie a response sets is marked Secure when the site is served over HTTPS: always when configured so
 * (OTKLIK_SECURE_COOKIES, an https OTKLIK_PUBLIC_URL), and for a request that came over HTTPS (directly or through a
 * trusted proxy's X-Forwarded-Proto). One place, so no route can forget it (hot routes apply withSecureFlag too).
 */
export function secureCookies(always: boolean): RequestHandler {
  return (req, res, next) => {
    if (!always && !req.secure) return next();
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name: string, value: number | string | readonly string[]) => {
      if (name.toLowerCase() !== 'set-cookie') return setHeader(name, value);
      return setHeader(name, typeof value === 'number' ? value : typeof value === 'string' ? withSecureFlag(value) : value.map(withSecureFlag));
    };
    next();
  };
}
