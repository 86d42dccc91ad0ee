import { describe, expect, it } from 'vitest';
import { sameOrigin } from './status-page.js';

describe('the status page forms come only from the page itself', () => {
  it('behind a proxy with OTKLIK_PUBLIC_URL, takes the public origin, not the upstream Host the proxy sent', () => {
    const page = { publicUrl: 'https://otklik.krskstate.ru', requestHost: '127.0.0.1:8080' };
    expect(sameOrigin('https://otklik.krskstate.ru', 'same-origin', page)).toBe(true);
    expect(sameOrigin('http://127.0.0.1:8080', 'same-origin', page)).toBe(false);
    expect(sameOrigin('http://otklik.krskstate.ru', 'same-site', page)).toBe(false);
    expect(sameOrigin('https://evil.test', 'cross-site', page)).toBe(false);
  });

  it('without it, compares with the host the client asked for (X-Forwarded-Host from a trusted proxy)', () => {
    expect(sameOrigin('https://otklik.krsk.test', 'same-origin', { requestHost: 'otklik.krsk.test' })).toBe(true);
    expect(sameOrigin('http://localhost:3000', 'same-origin', { requestHost: 'localhost:3000' })).toBe(true);
    expect(sameOrigin('https://evil.test', 'cross-site', { requestHost: 'otklik.krsk.test' })).toBe(false);
    expect(sameOrigin('not a url', undefined, { requestHost: 'otklik.krsk.test' })).toBe(false);
  });

  it('lets a browser that sends no Origin through unless it says the request is cross-site', () => {
    expect(sameOrigin(undefined, undefined, { requestHost: 'x.test' })).toBe(true);
    expect(sameOrigin('null', 'same-origin', { requestHost: 'x.test' })).toBe(true);
    expect(sameOrigin(undefined, 'cross-site', { requestHost: 'x.test' })).toBe(false);
  });
});
