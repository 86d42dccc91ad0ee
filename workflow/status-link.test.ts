import { describe, expect, it } from 'vitest';
import { createStatusLinks } from './status-link.js';

describe('status page links', () => {
  const links = createStatusLinks({ secret: 'deployment-salt', baseUrl: 'https://otklik.example.ru/' });
  const c = { id: '5f0c3f0e-8d52-5c1a-9a43-3a6e1c2b7d10', registrationNumber: '2026-000042' };
  it('names the number and a token of 32 URL-safe characters', () => {
    const url = new URL(links.url(c));
    expect(url.origin + url.pathname).toBe('https://otklik.example.ru/status/2026-000042');
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
  it("verifies the case's own token only: not another case's, not another deployment's, not a spelling of it", () => {
    const token = links.token(c.id);
    expect(links.verify(c.id, token)).toBe(true);
    expect(links.verify('6f0c3f0e-8d52-5c1a-9a43-3a6e1c2b7d10', token)).toBe(false);
    expect(createStatusLinks({ secret: 'another', baseUrl: 'x' }).verify(c.id, token)).toBe(false);
    expect(links.verify(c.id, `${token}=`)).toBe(false);
    expect(links.verify(c.id, '')).toBe(false);
  });
  it('takes the address when it is known, for a server that learns its port on listening', () => {
    let own = 'http://localhost:0';
    const late = createStatusLinks({ secret: 's', baseUrl: () => own });
    own = 'http://localhost:41234';
    expect(late.url(c)).toMatch(/^http:\/\/localhost:41234\/status\/2026-000042\?token=/);
  });
});
