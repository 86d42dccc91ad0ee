import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { describeStores, withoutSecrets } from './stores.js';

describe('withoutSecrets', () => {
  it('drops the password of a store URL and keeps where it points', () => {
    expect(withoutSecrets('redis://:s3cret@127.0.0.1:6380')).toBe('redis://127.0.0.1:6380');
    expect(withoutSecrets('redis://default:s3cret@redis:6379/2')).toBe('redis://default@redis:6379/2');
    expect(withoutSecrets('postgres://otklik:s3cret@pg:5432/otklik?sslmode=require')).toBe('postgres://otklik@pg:5432/otklik?sslmode=require');
  });

  it('drops query parameters that can carry a secret, and never echoes a URL it cannot parse', () => {
    const shown = withoutSecrets('postgres://pg/otklik?user=otklik&password=s3cret&sslkey=/k&sslmode=verify-full');
    expect(shown).toBe('postgres://pg/otklik?user=otklik&sslmode=verify-full');
    expect(withoutSecrets('not a url with s3cret')).not.toContain('s3cret');
  });
});

describe('describeStores', () => {
  it('names the data dir for embedded stores and the URL without its password otherwise', () => {
    const embedded = loadConfig({ OTKLIK_DATA_DIR: '/srv/otklik/data' });
    expect(describeStores(embedded, true)).toEqual({
      redis: 'embedded:/srv/otklik/data',
      postgres: 'embedded:/srv/otklik/data',
      clickhouse: 'embedded (chDB):/srv/otklik/data',
    });
    expect(describeStores(embedded, false).clickhouse).toBe('off');
    const servers = loadConfig({
      REDIS_URL: 'redis://:pw1@redis:6379',
      DATABASE_URL: 'postgres://otklik:pw2@pg:5432/otklik',
      CLICKHOUSE_URL: 'http://default:pw3@ch:8123',
    });
    const shown = describeStores(servers, true);
    expect(shown).toEqual({ redis: 'redis://redis:6379', postgres: 'postgres://otklik@pg:5432/otklik', clickhouse: 'http://default@ch:8123/' });
    expect(JSON.stringify(shown)).not.toMatch(/pw[123]/);
  });
});
