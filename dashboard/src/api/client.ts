// The admin REST API (docs/api/openapi.yaml) as the dashboard calls it:
// same origin, bearer token from POST /api/v1/login, errors as ApiError
// carrying the server's {"error":{"code","message","field"}}.

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'robustmq.token';
const USER_KEY = 'robustmq.user';
const EXPIRES_KEY = 'robustmq.expires';

export interface Session {
  token: string;
  username: string;
  expiresAtMs: number;
}

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const username = sessionStorage.getItem(USER_KEY);
  const expires = Number(sessionStorage.getItem(EXPIRES_KEY) ?? 0);
  if (!token || !username) return null;
  if (expires && expires < Date.now()) {
    clearSession();
    return null;
  }
  return { token, username, expiresAtMs: expires };
}

export function saveSession(s: Session) {
  sessionStorage.setItem(TOKEN_KEY, s.token);
  sessionStorage.setItem(USER_KEY, s.username);
  sessionStorage.setItem(EXPIRES_KEY, String(s.expiresAtMs));
}

export function clearSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
  sessionStorage.removeItem(EXPIRES_KEY);
}

/** Called when the server answers 401 to a request carrying a token. */
let onExpired: () => void = () => {};
export function setExpiredHandler(fn: () => void) {
  onExpired = fn;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A path parameter: percent-encoded, '/' included (a/b -> a%2Fb). */
export const seg = (s: string) => encodeURIComponent(s);

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  query?: Query,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const session = loadSession();
  if (session) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', `cannot reach the server: ${(e as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string; field?: string } })
      ?.error;
    const e = new ApiError(
      res.status,
      err?.code ?? 'error',
      err?.message ?? `HTTP ${res.status}`,
      err?.field,
    );
    if (res.status === 401 && session && path !== '/api/v1/login') {
      clearSession();
      onExpired();
    }
    throw e;
  }
  return parsed as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', path, undefined, query);
export const post = <T>(path: string, body?: unknown, query?: Query) =>
  api<T>('POST', path, body ?? {}, query);
export const patch = <T>(path: string, body: unknown, query?: Query) =>
  api<T>('PATCH', path, body, query);
export const del = (path: string, query?: Query) => api<void>('DELETE', path, undefined, query);

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    return e.field ? `${e.message} (field: ${e.field})` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
