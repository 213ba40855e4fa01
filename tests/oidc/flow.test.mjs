// A real relying party — the openid-client library — through tongban's OpenID Connect
// provider: discovery, authorization code with PKCE, ID token signature checks (RS256
// and ES256), userinfo, refresh-token rotation and reuse detection, logout.
// Run by ./scripts/test as: node --test tests/oidc/ with TONGBAN_BIN set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { totpCode } from '../support/totp.mjs';

const bin = process.env.TONGBAN_BIN;
const dataKey = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';
const env = { ...process.env, TONGBAN_DATA_KEY: dataKey };
const redirectUri = 'http://127.0.0.1:9/callback';
const logoutUri = 'http://127.0.0.1:9/logged-out';
let dir, server, base, admin;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function api(method, path, { token, body, cookie } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (cookie) headers.cookie = `tb_session=${cookie}`;
  if (body) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body), redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

// The code the server accepts now: at the server's own clock (GET /api/v1/version).
async function totp(base32) {
  const now = Date.parse((await api('GET', '/api/v1/version')).json.now) / 1000;
  return totpCode(base32, now);
}

async function login(name, mfaSecret) {
  const res = await api('POST', '/api/v1/auth/login', { body: { login: name, password: 'Tongban@2026' } });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  if (mfaSecret) {
    const mfa = await api('POST', '/api/v1/auth/mfa', { token: res.json.token, body: { code: await totp(mfaSecret) } });
    assert.equal(mfa.status, 200, JSON.stringify(mfa.json));
  }
  return res.json.token;
}

async function registerClient(admin, extra) {
  const res = await api('POST', '/api/v1/admin/oidc/clients', {
    token: admin,
    body: { name: '六安市不动产登记系统', redirect_uris: [redirectUri], post_logout_redirect_uris: [logoutUri],
            scopes: ['profile', 'id_number'], ...extra },
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json;
}

// The browser's part: follow the authorization URL with the session cookie.
async function authorizeAs(cookie, url) {
  const res = await fetch(url, { headers: { cookie: `tb_session=${cookie}` }, redirect: 'manual' });
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location'));
}

async function discover(c) {
  const config = await client.discovery(new URL(base), c.client_id, c.client_secret, undefined, {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
  return config;
}

async function codeFlow(config, cookie, scope = 'openid profile id_number') {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const callback = await authorizeAs(cookie, url);
  return { callback, verifier, state, nonce };
}

before(async () => {
  assert.ok(bin, 'TONGBAN_BIN must name the tongban binary');
  dir = mkdtempSync(join(tmpdir(), 'tongban-oidc-'));
  const db = `sqlite:${join(dir, 'oidc.db')}`;
  const seeded = spawnSync(bin, ['seed', '--db', db, '--data-dir', dir], { env, encoding: 'utf8' });
  assert.equal(seeded.status, 0, seeded.stderr);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['serve', '--db', db, '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--test-clock',
                       '--no-access-log'], { env, stdio: 'ignore' });
  for (let i = 0; i < 500; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) {
        // One administrator session for all tests: a TOTP code is good once.
        admin = await login('admin', 'JBSWY3DPEHPK3PXP');
        return;
      }
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('tongban did not start');
});

after(() => {
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('code flow with PKCE, signed ID token, userinfo, refresh rotation, logout', async () => {
  const registered = await registerClient(admin);
  assert.match(registered.client_secret, /^[0-9a-f]{64}$/);
  const config = await discover(registered);
  assert.equal(config.serverMetadata().issuer, base);

  const citizen = await login('13800000001');
  const { callback, verifier, state, nonce } = await codeFlow(config, citizen);
  assert.equal(callback.searchParams.get('state'), state);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
  });
  const claims = tokens.claims();
  assert.equal(claims.iss, base);
  assert.equal(claims.aud, registered.client_id);
  assert.equal(claims.name, '张三');
  assert.equal(claims.id_number, '341502199001010017');
  assert.equal(claims.real_name_level, 2);
  assert.match(claims.sub, /^[0-9a-f]{64}$/);

  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.name, '张三');

  // Refresh rotates; presenting the old refresh token again revokes the whole family.
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  assert.equal(refreshed.claims().sub, claims.sub);
  await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
  await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (e) => e.error === 'invalid_grant');

  // A code works once; replaying it also revokes what it issued (RFC 6749 §4.1.2).
  const second = await codeFlow(config, citizen);
  const fresh = await client.authorizationCodeGrant(config, second.callback, {
    pkceCodeVerifier: second.verifier, expectedState: second.state, expectedNonce: second.nonce,
  });
  await assert.rejects(client.authorizationCodeGrant(config, second.callback, {
    pkceCodeVerifier: second.verifier, expectedState: second.state, expectedNonce: second.nonce,
  }), (e) => e.error === 'invalid_grant');
  await assert.rejects(client.fetchUserInfo(config, fresh.access_token, claims.sub));
  await assert.rejects(client.refreshTokenGrant(config, fresh.refresh_token), (e) => e.error === 'invalid_grant');

  // Logout through the end-session endpoint ends the browser session and returns.
  const logout = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token, post_logout_redirect_uri: logoutUri, state: 'bye',
  });
  const res = await fetch(logout, { headers: { cookie: `tb_session=${citizen}` }, redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), `${logoutUri}?state=bye`);
  assert.equal((await api('GET', '/api/v1/me', { token: citizen })).status, 401);
});

test('pairwise subjects: two clients see different subs for one person', async () => {
  const a = await discover(await registerClient(admin));
  const b = await discover(await registerClient(admin, { name: '六安市公积金系统' }));
  const citizen = await login('13800000002');
  const subs = [];
  for (const config of [a, b]) {
    const { callback, verifier, state, nonce } = await codeFlow(config, citizen, 'openid');
    const t = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    assert.equal(t.claims().name, undefined, 'profile claims only with the profile scope');
    subs.push(t.claims().sub);
  }
  assert.notEqual(subs[0], subs[1]);
});

test('a public client with PKCE and ES256 ID tokens', async () => {
  const registered = await registerClient(admin, { public: true, id_token_alg: 'ES256', scopes: ['profile'] });
  assert.equal(registered.client_secret, undefined);
  const config = await client.discovery(new URL(base), registered.client_id, undefined, client.None(), {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
  const citizen = await login('13800000001');
  const { callback, verifier, state, nonce } = await codeFlow(config, citizen, 'openid profile');
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const header = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url'));
  assert.equal(header.alg, 'ES256');
  assert.equal(tokens.claims().name, '张三');
  // A wrong verifier is refused.
  const again = await codeFlow(config, citizen, 'openid profile');
  await assert.rejects(client.authorizationCodeGrant(config, again.callback, {
    pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: again.state, expectedNonce: again.nonce,
  }), (e) => e.error === 'invalid_grant' && /PKCE/.test(e.error_description));
  // A scope the client was not granted is refused back at the redirect URI.
  const denied = await authorizeAs(citizen, client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid id_number', state: 's',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  }));
  assert.equal(denied.searchParams.get('error'), 'invalid_scope');
});

test('not logged in: the browser is sent to log in; bad clients are not redirected to', async () => {
  const config = await discover(await registerClient(admin));
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid', state: 's',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  });
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.match(res.headers.get('location'), /^\/login\?next=%2Foauth2%2Fauthorize/);
  const evil = new URL(url);
  evil.searchParams.set('redirect_uri', 'https://evil.example/cb');
  const refused = await fetch(evil, { redirect: 'manual' });
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).error, 'invalid_request');
});

test('key rotation: new tokens carry the new kid and both keys are published', async () => {
  const registered = await registerClient(admin);
  const before = (await api('GET', '/oauth2/jwks')).json.keys.map((k) => k.kid);
  const rotated = await api('POST', '/api/v1/admin/oidc/keys/rotate', { token: admin });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.json));
  const after = (await api('GET', '/oauth2/jwks')).json.keys.map((k) => k.kid);
  for (const kid of before) assert.ok(after.includes(kid), 'a retired key stays published for a day');
  const config = await discover(registered);
  const citizen = await login('13800000001');
  const { callback, verifier, state, nonce } = await codeFlow(config, citizen);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const kid = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url')).kid;
  assert.ok(rotated.json.active.includes(kid));
  assert.ok(!before.includes(kid));
});
