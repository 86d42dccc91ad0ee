import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseRoles, ROLES } from './config.js';

describe('loadConfig', () => {
  it('runs on embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.redisUrl).toBeUndefined();
    expect(c.databaseUrl).toBeUndefined();
    expect(c.clickhouse.url).toBeUndefined();
    expect(c.admin).toEqual({ login: 'admin', password: undefined });
    expect(c.contactCenterSecret).toBeUndefined();
  });

  it('treats empty strings as unset, as docker-compose passes them', () => {
    const c = loadConfig({ REDIS_URL: '', CONTACT_CENTER_SECRET: '  ', OTKLIK_ADMIN_PASSWORD: '' });
    expect(c.redisUrl).toBeUndefined();
    expect(c.contactCenterSecret).toBeUndefined();
    expect(c.admin.password).toBeUndefined();
  });

  it('keeps /metrics closed, trusts only a loopback proxy and sets plain cookies unless told otherwise', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ metricsPublic: false, metricsToken: undefined, trustProxy: ['loopback'], secureCookies: false });
    expect(c.workflow).toMatchObject({ loginMaxFailures: 5, loginIpMaxFailures: 20, loginAccountMaxFailures: 50 });
  });

  it('makes cookies Secure for an https public URL and reads the proxy setting', () => {
    expect(loadConfig({ OTKLIK_PUBLIC_URL: 'https://otklik.krskstate.ru/' })).toMatchObject({ secureCookies: true, publicUrl: 'https://otklik.krskstate.ru' });
    expect(loadConfig({ OTKLIK_PUBLIC_URL: 'http://localhost:3000' }).secureCookies).toBe(false);
    expect(() => loadConfig({ OTKLIK_PUBLIC_URL: 'ftp://x' })).toThrow(/OTKLIK_PUBLIC_URL/);
    expect(loadConfig({ OTKLIK_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ OTKLIK_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ OTKLIK_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ OTKLIK_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(loadConfig({ OTKLIK_METRICS_PUBLIC: 'true' }).metricsPublic).toBe(true);
  });

  it('drops trailing slashes of API roots and widget origins', () => {
    const c = loadConfig({ VK_API_BASE_URL: 'http://127.0.0.1:9999/vk///', TELEGRAM_API_ROOT: 'http://127.0.0.1:9998/',
      WIDGET_ALLOWED_ORIGINS: 'https://a.example/,https://b.example' });
    expect(c.vk.apiBaseUrl).toBe('http://127.0.0.1:9999/vk');
    expect(c.telegram.apiRoot).toBe('http://127.0.0.1:9998');
    expect(c.widget.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('reads the MAX bot and the Одноклассники groups, whose keys contain colons themselves', () => {
    const c = loadConfig({ MAX_BOT_TOKEN: 't', MAX_API_BASE_URL: 'http://127.0.0.1:9997/', OK_GROUPS: '53038939046008:tkn18YdUJZe:CQABPOJK, 54000000000001 ' });
    expect(c.max).toEqual({ botToken: 't', webhookSecret: undefined, apiBaseUrl: 'http://127.0.0.1:9997' });
    expect(c.ok.groups).toEqual([{ id: '53038939046008', token: 'tkn18YdUJZe:CQABPOJK' }, { id: '54000000000001', token: undefined }]);
    expect(c.ok.apiBaseUrl).toBe('https://api.ok.ru');
    expect(() => loadConfig({ OK_GROUPS: 'mygroup:key' })).toThrow(/OK_GROUPS: "mygroup" is not a numeric group id/);
  });

  it('names every invalid variable in one error', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/LOG_LEVEL/);
    }
  });
});

describe('parseRoles', () => {
  it('defaults to every role and accepts a subset', () => {
    expect(parseRoles(undefined)).toEqual([...ROLES]);
    expect(parseRoles('ingest, classify')).toEqual(['ingest', 'classify']);
  });
  it('refuses an unknown role, listing the known ones', () => {
    expect(() => parseRoles('ingest,billing')).toThrow(/billing.*Known roles: ingest/);
  });
});

describe('the SMS provider', () => {
  it('takes SMS.ru for a bare key, SMSC.ru when named, each at its own API root unless SMS_API_BASE_URL names another', () => {
    expect(loadConfig({}).sms.provider).toBeUndefined();
    expect(loadConfig({ SMS_API_KEY: 'k' }).sms).toMatchObject({ provider: 'smsru', baseUrl: 'https://sms.ru' });
    expect(loadConfig({ SMS_PROVIDER: 'smsc', SMS_API_KEY: 'k' }).sms).toMatchObject({ provider: 'smsc', baseUrl: 'https://smsc.ru' });
    expect(loadConfig({ SMS_PROVIDER: 'smsc', SMS_API_KEY: 'k', SMS_API_BASE_URL: 'https://www2.smsc.ru/' }).sms.baseUrl).toBe('https://www2.smsc.ru');
    expect(() => loadConfig({ SMS_PROVIDER: 'smsc' })).toThrow(/needs SMS_API_KEY/);
    expect(() => loadConfig({ SMS_PROVIDER: 'mts' })).toThrow(ConfigError);
  });
});
