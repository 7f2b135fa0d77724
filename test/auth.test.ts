/**
 * Agent logins: login, access tokens on /v1, refresh rotation and reuse detection, logout,
 * expired and forged tokens, the org an agent acts in (X-Organization-Id), admin-only routes,
 * deactivated agents, login throttling, and a signing key shared through the database.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { MemoryRateLimiter } from '../src/http/rate-limit.memory.js';
import { client, newOrg, startTestApp, ticketBody, type Client, type TestApp } from './support/app.js';
import {
  addAgent,
  agentClient,
  expectError,
  expectFieldError,
  joinByInvitation,
  login,
  PASSWORD,
  postAuth,
  session,
  uniqueEmail,
} from './support/agents.js';
import { DIALECTS } from './support/databases.js';

const JWT_SECRET = 'a-test-secret-that-is-long-enough-0123456789';

describe.each(DIALECTS)('agent logins (%s)', (dialect) => {
  let t: TestApp;
  let orgId: string;
  let admin: Client;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const org = await newOrg(t);
    orgId = org.org.id;
    admin = client(t.app, org.apiKey);
  });
  afterAll(() => t.close());

  describe('login', () => {
    it('returns an access token, a refresh token, the agent and their orgs; the token works on /v1', async () => {
      const agent = await addAgent(admin, { name: 'Lena Login' });
      const res = await login(t.app, agent.email.toUpperCase(), PASSWORD);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(
        [
          'accessToken',
          'agent',
          'expiresIn',
          'orgs',
          'refreshToken',
          'refreshTokenExpiresAt',
          'tokenType',
        ].sort(),
      );
      expect(body.tokenType).toBe('Bearer');
      expect(body.expiresIn).toBe(900);
      expect(body.refreshToken).toMatch(/^talki_rt_/);
      expect(body.agent).toEqual({ id: agent.id, email: agent.email, name: 'Lena Login' });
      expect(body.orgs).toEqual([{ id: orgId, name: expect.any(String), role: 'agent' }]);

      const api = agentClient(t.app, body.accessToken);
      const list = await api.get('/v1/tickets');
      expect(list.statusCode, list.body).toBe(200);
      expect(list.headers['x-ratelimit-limit']).toBe('300');
      const created = await api.post('/v1/tickets', ticketBody());
      expect(created.statusCode, created.body).toBe(201);
      const reply = await api.post(`/v1/tickets/${created.json().id}/messages`, { text: 'On it' });
      expect(reply.statusCode, reply.body).toBe(201);
      expect(reply.json().agentName).toBe('Lena Login');
    });

    it('a wrong password, an unknown email and an agent without a password get the same 401', async () => {
      const agent = await addAgent(admin);
      const noPassword = await addAgent(admin, { password: null });
      const messages: string[] = [];
      for (const [email, password] of [
        [agent.email, 'not the password'],
        [uniqueEmail('nobody'), PASSWORD],
        [noPassword.email, PASSWORD],
      ] as const) {
        const res = await login(t.app, email, password);
        messages.push(expectError(res, 401, 'UNAUTHORIZED').message);
      }
      expect(new Set(messages).size).toBe(1);
      expect(messages[0]).toBe('Invalid email or password');
    });

    it('rejects malformed bodies with a 400 naming the field', async () => {
      const inject = (payload: unknown) =>
        t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: payload as object });
      expectFieldError(await inject({ email: 'a@b.test' }), 'password');
      expectFieldError(await inject({ password: 'x' }), 'email');
      expectFieldError(await inject({ email: 'a@b.test', password: 'x', remember: true }), 'remember');
      expectFieldError(await inject({ email: 'a@b.test', password: 12345678 }), 'password');
    });

    it('needs no bearer token, and ignores one', async () => {
      const agent = await addAgent(admin);
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { authorization: 'Bearer nonsense' },
        payload: { email: agent.email, password: PASSWORD },
      });
      expect(res.statusCode, res.body).toBe(200);
    });
  });

  describe('refresh and logout', () => {
    it('refresh rotates: new tokens work, the spent refresh token does not', async () => {
      const agent = await addAgent(admin);
      const first = await session(t.app, agent.email);
      const res = await postAuth(t.app, 'refresh', first.refreshToken);
      expect(res.statusCode, res.body).toBe(200);
      const second = res.json();
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.agent.id).toBe(agent.id);
      expect((await agentClient(t.app, second.accessToken).get('/v1/tickets')).statusCode).toBe(200);

      const third = await postAuth(t.app, 'refresh', second.refreshToken);
      expect(third.statusCode, third.body).toBe(200);
      expect((await agentClient(t.app, third.json().accessToken).get('/v1/tickets')).statusCode).toBe(200);
    });

    it('reusing a spent refresh token revokes the whole session, newest tokens included', async () => {
      const agent = await addAgent(admin);
      const first = await session(t.app, agent.email);
      const second = (await postAuth(t.app, 'refresh', first.refreshToken)).json();
      expect(second.refreshToken).toMatch(/^talki_rt_/);

      const reuse = await postAuth(t.app, 'refresh', first.refreshToken);
      expect(expectError(reuse, 401, 'UNAUTHORIZED').message).toMatch(/already used/);
      expectError(await postAuth(t.app, 'refresh', second.refreshToken), 401, 'UNAUTHORIZED');
      expectError(await agentClient(t.app, second.accessToken).get('/v1/tickets'), 401, 'UNAUTHORIZED');
      expectError(await agentClient(t.app, first.accessToken).get('/v1/tickets'), 401, 'UNAUTHORIZED');

      // Other sessions of the same person are untouched.
      const other = await session(t.app, agent.email);
      expect((await agentClient(t.app, other.accessToken).get('/v1/tickets')).statusCode).toBe(200);
    });

    it('logout ends the session: 204, then its refresh and access tokens get 401; logout is idempotent', async () => {
      const agent = await addAgent(admin);
      const s = await session(t.app, agent.email);
      const kept = await session(t.app, agent.email);
      const out = await postAuth(t.app, 'logout', s.refreshToken);
      expect(out.statusCode, out.body).toBe(204);
      expect(out.body).toBe('');
      expectError(await postAuth(t.app, 'refresh', s.refreshToken), 401, 'UNAUTHORIZED');
      expectError(await agentClient(t.app, s.accessToken).get('/v1/tickets'), 401, 'UNAUTHORIZED');
      expect((await postAuth(t.app, 'logout', s.refreshToken)).statusCode).toBe(204);
      expect((await postAuth(t.app, 'logout', 'talki_rt_unknown')).statusCode).toBe(204);
      expect((await agentClient(t.app, kept.accessToken).get('/v1/tickets')).statusCode).toBe(200);
    });

    it('unknown and malformed refresh tokens → 401 / 400', async () => {
      expectError(await postAuth(t.app, 'refresh', 'talki_rt_nothing'), 401, 'UNAUTHORIZED');
      expectFieldError(await postAuth(t.app, 'refresh', 42), 'refreshToken');
      expectFieldError(await postAuth(t.app, 'logout', ''), 'refreshToken');
      const noBody = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: {} });
      expectFieldError(noBody, 'refreshToken');
    });

    it('an access token is not a refresh token, and a refresh token is not a bearer credential', async () => {
      const agent = await addAgent(admin);
      const s = await session(t.app, agent.email);
      expectError(await postAuth(t.app, 'refresh', s.accessToken), 401, 'UNAUTHORIZED');
      expectError(await client(t.app, s.refreshToken).get('/v1/tickets'), 401, 'UNAUTHORIZED');
    });
  });

  describe('organizations', () => {
    it('an agent in several orgs names one with X-Organization-Id: 400 without, 404 for a non-member org', async () => {
      const email = uniqueEmail('multi');
      await addAgent(admin, { email, name: 'Mia Multi' });
      const other = await newOrg(t);
      const otherAdmin = client(t.app, other.apiKey);
      await joinByInvitation(t.app, otherAdmin, email, { role: 'admin' });
      const mine = await admin.post('/v1/tickets', ticketBody({ subject: 'In the first org' }));
      const theirs = await otherAdmin.post('/v1/tickets', ticketBody({ subject: 'In the second org' }));
      const third = await newOrg(t);

      const s = await session(t.app, email);
      expect(s.orgs.map((o) => [o.id, o.role]).sort()).toEqual(
        [
          [orgId, 'agent'],
          [other.org.id, 'admin'],
        ].sort(),
      );
      const noOrg = await agentClient(t.app, s.accessToken).get('/v1/tickets');
      expect(expectFieldError(noOrg, 'X-Organization-Id').message).toMatch(/X-Organization-Id/);

      const inFirst = agentClient(t.app, s.accessToken, orgId);
      expect((await inFirst.get(`/v1/tickets/${mine.json().id}`)).statusCode).toBe(200);
      expectError(await inFirst.get(`/v1/tickets/${theirs.json().id}`), 404, 'NOT_FOUND');
      expectError(await inFirst.get('/v1/api-keys'), 403, 'FORBIDDEN');

      const inSecond = agentClient(t.app, s.accessToken, other.org.id);
      expect((await inSecond.get(`/v1/tickets/${theirs.json().id}`)).statusCode).toBe(200);
      expect((await inSecond.get('/v1/api-keys')).statusCode).toBe(200);

      expectError(await agentClient(t.app, s.accessToken, third.org.id).get('/v1/tickets'), 404, 'NOT_FOUND');
      expectError(
        await agentClient(t.app, s.accessToken, 'org_missing').get('/v1/tickets'),
        404,
        'NOT_FOUND',
      );
      expectError(await agentClient(t.app, s.accessToken, 'not an id!').get('/v1/tickets'), 404, 'NOT_FOUND');
    });

    it('deactivated in one of two orgs: 403 there, and that org no longer counts without the header', async () => {
      const email = uniqueEmail('half');
      const here = await addAgent(admin, { email });
      const other = await newOrg(t);
      await joinByInvitation(t.app, client(t.app, other.apiKey), email);
      const s = await session(t.app, email);
      expect((await admin.post(`/v1/agents/${here.id}/deactivate`)).statusCode).toBe(200);

      expectError(await agentClient(t.app, s.accessToken, orgId).get('/v1/tickets'), 403, 'FORBIDDEN');
      // Without the header the token now resolves to the one org where they are active.
      const implicit = await agentClient(t.app, s.accessToken).get(`/v1/agents/${here.id}`);
      expect(implicit.statusCode, implicit.body).toBe(200);
      expect(implicit.json().active).toBe(true);
      expect((await session(t.app, email)).orgs.map((o) => o.id)).toEqual([other.org.id]);
    });

    it('an API key sent with X-Organization-Id of another org → 404, of its own → 200', async () => {
      const other = await newOrg(t);
      expectError(await admin.get('/v1/tickets', { 'x-organization-id': other.org.id }), 404, 'NOT_FOUND');
      expect((await admin.get('/v1/tickets', { 'x-organization-id': orgId })).statusCode).toBe(200);
    });
  });

  describe('roles', () => {
    it('a plain agent gets 403 on admin routes and 200 on the rest', async () => {
      const agent = await addAgent(admin, { role: 'agent' });
      const api = agentClient(t.app, (await session(t.app, agent.email)).accessToken);
      expect((await api.get('/v1/tickets')).statusCode).toBe(200);
      expect((await api.get(`/v1/agents/${agent.id}`)).statusCode).toBe(200);
      // Seeing the team (to assign a colleague) is not admin work; changing it is.
      expect((await api.get('/v1/agents')).statusCode).toBe(200);
      expectError(await api.get('/v1/org'), 403, 'FORBIDDEN');
      expectError(await api.get('/v1/api-keys'), 403, 'FORBIDDEN');
      // Admin-only routes refuse before validating: no 400 for a body a non-admin may not send.
      expectError(await api.post('/v1/api-keys', { name: 'x' }), 403, 'FORBIDDEN');
      expectError(await api.post('/v1/api-keys', { name: 'x', scope: 'write' }), 403, 'FORBIDDEN');
      expectError(
        await api.post('/v1/agents', { email: uniqueEmail(), name: 'X', role: 'agent' }),
        403,
        'FORBIDDEN',
      );
      expectError(await api.patch(`/v1/agents/${agent.id}`, { role: 'admin' }), 403, 'FORBIDDEN');
      expectError(await api.post(`/v1/agents/${agent.id}/deactivate`), 403, 'FORBIDDEN');
      expectError(await api.patch('/v1/org', { name: 'Mine now' }), 403, 'FORBIDDEN');
    });

    it('an admin agent may use the admin routes', async () => {
      const boss = await addAgent(admin, { role: 'admin' });
      const api = agentClient(t.app, (await session(t.app, boss.email)).accessToken);
      expect((await api.get('/v1/api-keys')).statusCode).toBe(200);
      const created = await api.post('/v1/agents', { email: uniqueEmail(), name: 'Hired', role: 'agent' });
      expect(created.statusCode, created.body).toBe(201);
      expect((await api.patch('/v1/org', { timeZone: 'UTC' })).statusCode).toBe(200);
    });
  });

  describe('deactivated agents', () => {
    it("can't log in, can't refresh, and their access token stops working at once", async () => {
      const agent = await addAgent(admin);
      const s = await session(t.app, agent.email);
      expect((await admin.post(`/v1/agents/${agent.id}/deactivate`)).statusCode).toBe(200);

      expectError(await login(t.app, agent.email, PASSWORD), 401, 'UNAUTHORIZED');
      expectError(await agentClient(t.app, s.accessToken).get('/v1/tickets'), 401, 'UNAUTHORIZED');
      expectError(await agentClient(t.app, s.accessToken, orgId).get('/v1/tickets'), 403, 'FORBIDDEN');
      expectError(await postAuth(t.app, 'refresh', s.refreshToken), 401, 'UNAUTHORIZED');

      expect((await admin.post(`/v1/agents/${agent.id}/reactivate`)).statusCode).toBe(200);
      expect((await login(t.app, agent.email, PASSWORD)).statusCode).toBe(200);
    });

    it("can't be assigned tickets (400 naming assignedTo)", async () => {
      const agent = await addAgent(admin);
      const ticket = (await admin.post('/v1/tickets', ticketBody())).json();
      expect((await admin.patch(`/v1/tickets/${ticket.id}`, { assignedTo: agent.id })).statusCode).toBe(200);
      await admin.post(`/v1/agents/${agent.id}/deactivate`);
      const res = await admin.patch(`/v1/tickets/${ticket.id}`, { assignedTo: null });
      expect(res.statusCode).toBe(200);
      expectFieldError(await admin.patch(`/v1/tickets/${ticket.id}`, { assignedTo: agent.id }), 'assignedTo');
    });
  });

  describe('tokens', () => {
    it('forged and malformed bearer tokens → 401 with WWW-Authenticate', async () => {
      const agent = await addAgent(admin);
      const s = await session(t.app, agent.email);
      const [header, payload, signature] = s.accessToken.split('.') as [string, string, string];
      const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      for (const token of [`${header}.${payload}.${flipped}`, none, `${header}.${payload}`, 'a.b.c']) {
        const res = await client(t.app, token).get('/v1/tickets');
        expectError(res, 401, 'UNAUTHORIZED');
        expect(res.headers['www-authenticate']).toMatch(/invalid_token/);
      }
    });

    it('without TALKI_JWT_SECRET the key lives in the database: another server process accepts the token', async () => {
      const agent = await addAgent(admin);
      const s = await session(t.app, agent.email);
      const limiter = new MemoryRateLimiter();
      const second = await buildApp({ config: t.config, db: t.database.db, limiter, logger: false });
      try {
        const res = await agentClient(second, s.accessToken).get('/v1/tickets');
        expect(res.statusCode, res.body).toBe(200);
      } finally {
        await second.close();
        await limiter.close();
      }
    });
  });
});

describe.each(DIALECTS)('agent logins with TALKI_JWT_SECRET and tight throttles (%s)', (dialect) => {
  let t: TestApp;
  let admin: Client;
  const key = new TextEncoder().encode(JWT_SECRET);

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      env: { TALKI_JWT_SECRET: JWT_SECRET, TALKI_LOGIN_MAX_PER_EMAIL: '3', TALKI_LOGIN_MAX_PER_IP: '8' },
    });
    admin = client(t.app, (await newOrg(t)).apiKey);
  });
  afterAll(() => t.close());

  function sign(
    claims: { sub: string; sid: string },
    options: { exp?: number; aud?: string; iss?: string } = {},
  ) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuer(options.iss ?? 'talki')
      .setAudience(options.aud ?? 'talki')
      .setIssuedAt(now - 3600)
      .setExpirationTime(options.exp ?? now + 600)
      .sign(key);
  }

  it('tokens are signed with the configured secret; an expired one → 401 saying so', async () => {
    const agent = await addAgent(admin);
    const s = await session(t.app, agent.email);
    const sid = JSON.parse(Buffer.from(s.accessToken.split('.')[1]!, 'base64url').toString()).sid as string;
    expect((await agentClient(t.app, await sign({ sub: agent.id, sid })).get('/v1/tickets')).statusCode).toBe(
      200,
    );

    const expired = await sign({ sub: agent.id, sid }, { exp: Math.floor(Date.now() / 1000) - 60 });
    const res = await agentClient(t.app, expired).get('/v1/tickets');
    expect(expectError(res, 401, 'UNAUTHORIZED').message).toMatch(/expired/);
    expectError(
      await agentClient(t.app, await sign({ sub: agent.id, sid }, { aud: 'someone-else' })).get(
        '/v1/tickets',
      ),
      401,
      'UNAUTHORIZED',
    );
    expectError(
      await agentClient(t.app, await sign({ sub: agent.id, sid }, { iss: 'someone-else' })).get(
        '/v1/tickets',
      ),
      401,
      'UNAUTHORIZED',
    );
  });

  it('throttles logins per email: the attempt after the limit → 429 with Retry-After, even with the right password', async () => {
    const agent = await addAgent(admin);
    for (let i = 0; i < 3; i++) {
      expectError(await login(t.app, agent.email, 'wrong password', '127.0.0.21'), 401, 'UNAUTHORIZED');
    }
    const res = await login(t.app, agent.email.toUpperCase(), PASSWORD, '127.0.0.22');
    expectError(res, 429, 'TOO_MANY_REQUESTS');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Someone else is not affected.
    const other = await addAgent(admin);
    expect((await login(t.app, other.email, PASSWORD, '127.0.0.23')).statusCode).toBe(200);
  });

  it('throttles logins per client IP', async () => {
    for (let i = 0; i < 8; i++) {
      expectError(await login(t.app, uniqueEmail('spray'), 'guess', '127.0.0.31'), 401, 'UNAUTHORIZED');
    }
    const agent = await addAgent(admin);
    const res = await login(t.app, agent.email, PASSWORD, '127.0.0.31');
    expectError(res, 429, 'TOO_MANY_REQUESTS');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(t.app, agent.email, PASSWORD, '127.0.0.32')).statusCode).toBe(200);
  });
});
