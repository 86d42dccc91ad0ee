import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.js';
import { network } from './network.js';

const config = (env: Record<string, string>) => loadConfig({ MAX_BOT_TOKEN: 'token', ...env });
const URL = 'https://otklik.example.ru';

describe('the MAX mode', () => {
  it('long-polls without a public address, with or without a secret', () => {
    expect(network.modes(config({}))).toEqual({ max: 'polling' });
    expect(network.modes(config({ MAX_WEBHOOK_SECRET: 'secret-42' }))).toEqual({ max: 'polling' });
    expect(() => network.check(config({}))).not.toThrow();
  });

  it('takes a webhook with a public address and a secret', () => {
    const c = config({ OTKLIK_PUBLIC_URL: URL, MAX_WEBHOOK_SECRET: 'secret-42' });
    expect(network.modes(c)).toEqual({ max: 'webhook' });
    expect(() => network.check(c)).not.toThrow();
  });

  it('refuses to start with a public address but no secret, or a secret MAX would refuse', () => {
    expect(() => network.check(config({ OTKLIK_PUBLIC_URL: URL }))).toThrow(ConfigError);
    expect(() => network.check(config({ OTKLIK_PUBLIC_URL: URL }))).toThrow(/MAX_WEBHOOK_SECRET/);
    expect(() => network.check(config({ OTKLIK_PUBLIC_URL: URL, MAX_WEBHOOK_SECRET: 'a b c d e' }))).toThrow(ConfigError);
  });

  it('is off without a token, whatever else is set', () => {
    const c = loadConfig({ OTKLIK_PUBLIC_URL: URL });
    expect(network.modes(c)).toEqual({ max: 'off' });
    expect(() => network.check(c)).not.toThrow();
  });
});
