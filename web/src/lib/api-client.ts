import { acceptTokens, clearSession, getSession, storedRefreshToken, type TokenPair } from './session';

/** An error answer from the API, in Talki's standard `{ error: { code, message, details } }` shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The session could not be renewed: the UI asks the agent to sign in again, keeping their work. */
export class SessionExpiredError extends ApiError {
  constructor() {
    super(401, 'SESSION_EXPIRED', 'Your session has expired. Sign in again to continue.');
    this.name = 'SessionExpiredError';
  }
}

type SessionExpiredListener = () => void;
const expiredListeners = new Set<SessionExpiredListener>();
export function onSessionExpired(listener: SessionExpiredListener): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

async function readError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: unknown };
  } | null;
  return new ApiError(
    response.status,
    body?.error?.code ?? `HTTP_${response.status}`,
    body?.error?.message ?? response.statusText ?? 'The request failed',
    body?.error?.details ?? null,
  );
}

let refreshing: Promise<string> | null = null;

/**
 * Spends the refresh token for a new pair, one refresh at a time: refresh tokens are single use,
 * and presenting a spent one ends the whole session, so concurrent 401s (and other tabs, through
 * the Web Locks API) must wait for the refresh already under way instead of starting their own.
 */
export function refreshAccessToken(): Promise<string> {
  refreshing ??= withRefreshLock(async () => {
    const before = getSession();
    // Another tab may have refreshed while this one waited for the lock: its token is newer.
    const token = storedRefreshToken();
    if (!token) throw new SessionExpiredError();
    const response = await fetch('/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: token }),
    });
    if (!response.ok) {
      if (response.status === 401 || response.status === 400) {
        for (const listener of expiredListeners) listener();
        throw new SessionExpiredError();
      }
      throw await readError(response);
    }
    return acceptTokens((await response.json()) as TokenPair, before?.orgId).accessToken;
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (locks.request('talki-refresh', task) as Promise<T>) : task();
}

async function accessToken(): Promise<string> {
  const session = getSession();
  if (session && Date.now() < session.accessExpiresAt) return session.accessToken;
  return refreshAccessToken();
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Query parameters; undefined, null and '' values are left out. */
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
  /** Sent as Idempotency-Key, so a retried create can't make two. */
  idempotencyKey?: string;
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Fetches as the signed-in agent, in the active org; a 401 (the token expired on the way)
 * refreshes once and tries again. Non-2xx answers become ApiError.
 */
async function authorizedFetch(
  path: string,
  init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> },
) {
  const send = async (token: string) => {
    const session = getSession();
    const headers: Record<string, string> = { ...init.headers, Authorization: `Bearer ${token}` };
    if (session) headers['X-Organization-Id'] = session.orgId;
    return fetch(path, { ...init, headers });
  };
  let response = await send(await accessToken());
  if (response.status === 401) response = await send(await refreshAccessToken());
  if (!response.ok) throw await readError(response);
  return response;
}

/** Sends one request to the public API as the signed-in agent, in the active org. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await authorizedFetch(withQuery(path, options.query), {
    method: options.method ?? 'GET',
    headers,
    body,
    signal: options.signal,
  });
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Downloads a protected file (attachments) with the agent's token, as a Blob. */
export async function apiBlob(path: string): Promise<Blob> {
  return (await authorizedFetch(path, {})).blob();
}

/** Walks a cursor-paged v1 list to its end (or `max` items): small lists a screen needs whole. */
export async function apiAllPages<T>(
  path: string,
  {
    query = {},
    max = 1000,
    signal,
  }: { query?: RequestOptions['query']; max?: number; signal?: AbortSignal } = {},
): Promise<T[]> {
  const rows: T[] = [];
  let startingAfter: string | undefined;
  do {
    const page = await apiRequest<Page<T>>(path, { query: { ...query, limit: 100, startingAfter }, signal });
    rows.push(...page.data);
    startingAfter = page.meta.nextCursor ?? undefined;
  } while (startingAfter && rows.length < max);
  return rows;
}

export async function login(email: string, password: string): Promise<void> {
  const response = await fetch('/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw await readError(response);
  acceptTokens((await response.json()) as TokenPair);
}

/** Restores a session from the stored refresh token after a reload; false when there is none. */
export async function resumeSession(): Promise<boolean> {
  if (!storedRefreshToken()) return false;
  try {
    await refreshAccessToken();
    return true;
  } catch (error) {
    if (error instanceof SessionExpiredError) {
      clearSession();
      return false;
    }
    throw error;
  }
}

export async function logout(): Promise<void> {
  const token = storedRefreshToken();
  clearSession();
  if (token) {
    await fetch('/v1/auth/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: token }),
    }).catch(() => undefined);
  }
}

/** The envelope of v1 lists: page paging fills total/page/perPage, cursor paging limit/nextCursor. */
export interface Page<T> {
  data: T[];
  meta: { total?: number; page?: number; perPage?: number; limit?: number; nextCursor?: string | null };
}
