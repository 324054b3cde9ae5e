import { describe, expect, it, vi } from 'vitest';
import { ApiError, get, loadSession, saveSession, setExpiredHandler, withQuery } from './client';
import { stubFetch } from '../test/render';

describe('api client', () => {
  it('sends the bearer token and skips empty query values', async () => {
    saveSession({ token: 'abc', username: 'admin', expiresAtMs: Date.now() + 60_000 });
    const calls = stubFetch(() => ({ body: { ok: 1 } }));
    expect(await get('/api/v1/overview')).toEqual({ ok: 1 });
    expect((calls[0].init?.headers as Record<string, string>).Authorization).toBe('Bearer abc');
    expect(withQuery('/x', { a: 1, b: '', c: undefined, d: 'a/b' })).toBe('/x?a=1&d=a%2Fb');
  });

  it('turns a 401 on a logged-in request into a session expiry', async () => {
    saveSession({ token: 'old', username: 'admin', expiresAtMs: Date.now() + 60_000 });
    const expired = vi.fn();
    setExpiredHandler(expired);
    stubFetch(() => ({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'token expired' } },
    }));
    const err = (await get('/api/v1/users').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(err.message).toBe('token expired');
    expect(expired).toHaveBeenCalledTimes(1);
    expect(loadSession()).toBeNull();
  });

  it('forgets a session past its expiry time', () => {
    saveSession({ token: 't', username: 'admin', expiresAtMs: Date.now() - 1 });
    expect(loadSession()).toBeNull();
  });
});
