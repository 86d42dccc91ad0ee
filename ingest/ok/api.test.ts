import { describe, expect, it } from 'vitest';
import { okSignature } from './api.js';

describe('OK REST signature', () => {
  // The server-server example of the aiookru client's documentation (konstantintogoi.github.io/aiookru/api):
  // secret = md5(access_token + application_secret_key) = b1a2b897…, sig over the sorted parameters.
  it('signs the sorted parameters with md5(access_token + application_secret_key), leaving the token out', () => {
    const params = { application_key: 'ABCDEFGHIGKLMNOPK', format: 'json', method: 'events.get' };
    const token = '-s-84W-s3egarWUsbkq-IWTucuedzTKT8VUXIA.s4Xx8IW7';
    expect(okSignature(params, token, 'ABC123DEF456GHI789JKL123')).toBe('232c8eb921951c4dba9b72606f9ddb4c');
    expect(okSignature({ ...params, access_token: token, session_key: 'x' }, token, 'ABC123DEF456GHI789JKL123')).toBe('232c8eb921951c4dba9b72606f9ddb4c');
  });

  it('depends on every parameter and on their values, not on their order', () => {
    const a = okSignature({ b: '2', a: '1' }, 't', 's');
    expect(okSignature({ a: '1', b: '2' }, 't', 's')).toBe(a);
    expect(okSignature({ a: '1', b: '3' }, 't', 's')).not.toBe(a);
    expect(okSignature({ a: '1', b: '2' }, 't', 'other')).not.toBe(a);
  });
});
