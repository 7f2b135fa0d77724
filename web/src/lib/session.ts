/**
 * The signed-in session: who the agent is, which orgs they belong to, which one is active, and
 * the token pair. The access token lives in memory only; the refresh token is kept in
 * localStorage so a reload (or a second tab) stays signed in.
 */
export interface SessionOrg {
  id: string;
  name: string;
  role: 'admin' | 'agent';
}

export interface SessionAgent {
  id: string;
  email: string;
  name: string;
}

export interface TokenPair {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  agent: SessionAgent;
  orgs: SessionOrg[];
}

export interface Session {
  agent: SessionAgent;
  orgs: SessionOrg[];
  orgId: string;
  accessToken: string;
  /** Epoch ms after which the access token should be refreshed before use. */
  accessExpiresAt: number;
}

const REFRESH_KEY = 'talki.refreshToken';
const ORG_KEY = 'talki.orgId';
/** Refresh a little early so a request in flight doesn't carry a token that expires on the way. */
const expiryMarginMs = (lifetimeMs: number) => Math.min(30_000, lifetimeMs / 5);

type Listener = (session: Session | null) => void;

let current: Session | null = null;
const listeners = new Set<Listener>();

export const storedRefreshToken = () => localStorage.getItem(REFRESH_KEY);

export function getSession(): Session | null {
  return current;
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(next: Session | null): void {
  current = next;
  for (const listener of listeners) listener(next);
}

/** Takes a fresh pair from login or refresh; keeps the chosen org if the agent is still in it. */
export function acceptTokens(pair: TokenPair, preferredOrgId?: string): Session {
  localStorage.setItem(REFRESH_KEY, pair.refreshToken);
  const wanted = preferredOrgId ?? current?.orgId ?? localStorage.getItem(ORG_KEY) ?? undefined;
  const org = pair.orgs.find((candidate) => candidate.id === wanted) ?? pair.orgs[0];
  if (!org) throw new Error('This account is not active in any organization');
  localStorage.setItem(ORG_KEY, org.id);
  const session: Session = {
    agent: pair.agent,
    orgs: pair.orgs,
    orgId: org.id,
    accessToken: pair.accessToken,
    accessExpiresAt: Date.now() + pair.expiresIn * 1000 - expiryMarginMs(pair.expiresIn * 1000),
  };
  publish(session);
  return session;
}

export function switchOrg(orgId: string): void {
  if (!current || !current.orgs.some((org) => org.id === orgId)) return;
  localStorage.setItem(ORG_KEY, orgId);
  publish({ ...current, orgId });
}

/** Signed out on purpose: nothing of the session is kept (drafts stay, they are per ticket). */
export function clearSession(): void {
  localStorage.removeItem(REFRESH_KEY);
  publish(null);
}

export function activeOrg(session: Session): SessionOrg {
  const org = session.orgs.find((candidate) => candidate.id === session.orgId);
  if (!org) throw new Error('The active organization is not one of the session’s');
  return org;
}

export const isAdmin = (session: Session | null) => session !== null && activeOrg(session).role === 'admin';
