import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { applyChannelSettings, CHANNEL_SETTINGS, envValueOf } from './settings.js';

const okGroups = CHANNEL_SETTINGS.find((d) => d.key === 'ok.groups')!;

describe('the Одноклассники groups as a channel setting', () => {
  it('lays the groups set on the page over OK_GROUPS, keys included', () => {
    const env = loadConfig({ OK_GROUPS: '111:env-key' });
    expect(applyChannelSettings(env, {}).ok.groups).toEqual([{ id: '111', token: 'env-key' }]);
    expect(applyChannelSettings(env, { 'ok.groups': '53038939046008:tkn1:abc, 54000000000001' }).ok.groups).toEqual([
      { id: '53038939046008', token: 'tkn1:abc' },
      { id: '54000000000001', token: undefined },
    ]);
    expect(envValueOf(env, 'ok.groups')).toBe('111:env-key');
    expect(envValueOf(loadConfig({}), 'ok.groups')).toBeUndefined();
  });

  it('says in Russian what is wrong with a list that is not groups', () => {
    expect(okGroups.check!('53038939046008:key, 54000000000001')).toBeUndefined();
    expect(okGroups.check!('группа:ключ')).toMatch(/числовой id/);
    expect(okGroups.check!(' , ')).toMatch(/хотя бы одна группа/);
  });
});
