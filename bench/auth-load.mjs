// Load generator for ./bench/auth (see bench/README.md): closed-loop clients on Node's own
// fetch, no npm packages. ./bench/auth starts and stops the server; this file only talks
// to it over 127.0.0.1 and prints one JSON object (or, for `prepare`, shell variables).
//
//   node bench/auth-load.mjs prepare --base URL
//       logs the admin in (password + TOTP, once), registers one confidential OIDC client,
//       logs the citizen in (the browser session the authorize step needs), runs one code
//       flow and checks userinfo and the JWKS; prints client_id=…, client_secret=…,
//       session=…, access_token=…, citizen_id=… (and body sizes) lines.
//   node bench/auth-load.mjs login   --base URL --conc N --seconds S [--warmup W] [--pid PID]
//        [--probe PATH [--probe-idle S]]
//   node bench/auth-load.mjs healthz --base URL --conc N --seconds S [--warmup W] [--pid PID]
//   node bench/auth-load.mjs refresh --base URL --conc N --seconds S [--warmup W] [--pid PID]
//        --client-id ID --client-secret SECRET --session TOKEN
//       N independent refresh-token chains, each started by its own code flow (PKCE,
//       client_secret_basic), then POST /oauth2/token grant_type=refresh_token with the
//       latest refresh token, back to back.
//
// Every answer other than 200 (or a failed connection) counts as an error, by kind. With
// --pid the server's CPU time (utime/stime from /proc/PID/stat) over the measured window is
// reported, and its peak RSS (VmHWM, which ./bench/auth resets between runs).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { totpCode } from '../tests/support/totp.mjs';

const redirectUri = 'http://127.0.0.1:9/callback';
const scope = 'openid profile id_number';
const citizen = { login: '13800000001', password: 'Tongban@2026' };
const admin = { login: 'admin', password: 'Tongban@2026', totp: 'JBSWY3DPEHPK3PXP' };

function args(argv) {
  const out = { _: argv[0] };
  for (let i = 1; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

const opt = args(process.argv.slice(2));
const base = opt.base;
if (!base || !/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) throw new Error('--base must be http://127.0.0.1:PORT');

// ---- HTTP helpers ------------------------------------------------------------------------

async function api(method, path, { token, body, cookie } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (cookie) headers.cookie = `tb_session=${cookie}`;
  if (body) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body), redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text };
}

function must(cond, what, res) {
  if (!cond) throw new Error(`${what}: HTTP ${res?.status} ${res?.text ?? ''}`.slice(0, 400));
}

// The code the server accepts now: at the server's own clock (GET /api/v1/version).
async function totp(base32) {
  const now = Date.parse((await api('GET', '/api/v1/version')).json.now) / 1000;
  return totpCode(base32, now);
}

async function login(who) {
  const res = await api('POST', '/api/v1/auth/login', { body: { login: who.login, password: who.password } });
  must(res.status === 200 && res.json?.token, `login ${who.login}`, res);
  if (who.totp) {
    const mfa = await api('POST', '/api/v1/auth/mfa', { token: res.json.token, body: { code: await totp(who.totp) } });
    must(mfa.status === 200, `TOTP for ${who.login}`, mfa);
  }
  return { token: res.json.token, accountId: res.json.account?.id };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function basicAuth(id, secret) {
  // RFC 6749 §2.3.1: form-encode, then Basic.
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

// One authorization-code flow with PKCE: the browser's authorize step (session cookie),
// then the client's code exchange. Returns the token response.
async function codeFlow(clientId, clientSecret, session) {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = b64url(randomBytes(12));
  const nonce = b64url(randomBytes(12));
  const q = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope, state, nonce,
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  const auth = await fetch(`${base}/oauth2/authorize?${q}`, { headers: { cookie: `tb_session=${session}` }, redirect: 'manual' });
  await auth.arrayBuffer();
  const location = auth.headers.get('location') || '';
  must(auth.status === 302 && location.startsWith(redirectUri), 'authorize', { status: auth.status, text: location });
  const cb = new URL(location);
  must(cb.searchParams.get('state') === state && cb.searchParams.get('code'), 'authorize redirect', { status: 302, text: location });
  const res = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: cb.searchParams.get('code'), redirect_uri: redirectUri,
                                code_verifier: verifier }).toString(),
  });
  const text = await res.text();
  must(res.status === 200, 'code exchange', { status: res.status, text });
  const tokens = JSON.parse(text);
  must(tokens.access_token && tokens.refresh_token && tokens.id_token, 'code exchange tokens', { status: 200, text });
  const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url'));
  must(claims.aud === clientId && claims.nonce === nonce && claims.iss === base, 'ID token claims', { status: 200, text: JSON.stringify(claims) });
  return tokens;
}

// ---- measurement -------------------------------------------------------------------------

const clkTck = Number(opt['clk-tck'] || 100);
function serverCpu() {  // [utime, stime] in ticks, or null
  if (!opt.pid) return null;
  try {
    const stat = readFileSync(`/proc/${opt.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // from field 3 (state) on
    return [Number(f[11]), Number(f[12])];
  } catch { return null; }
}
function serverHwmKb() {
  if (!opt.pid) return null;
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${opt.pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch { return null; }
}

function errorKind(e) {
  const c = e?.cause;
  return (c && (c.code || c.name)) || e?.code || e?.name || 'error';
}

// Closed loop: conc workers, each sends its next request when the last one has answered,
// until `seconds` have passed. once(i) resolves to true (a 200 with the expected body) or
// to a string naming the error.
async function closedLoop(conc, seconds, once, onError) {
  const lat = [];
  let errors = 0;
  const kinds = {};
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  async function worker(i) {
    while (performance.now() < end) {
      const s = performance.now();
      let r;
      try { r = await once(i); } catch (e) { r = errorKind(e); }
      lat.push(performance.now() - s);
      if (r !== true) {
        errors++;
        kinds[r] = (kinds[r] || 0) + 1;
        if (onError) await onError(i, r);
      }
    }
  }
  await Promise.all(Array.from({ length: conc }, (_, i) => worker(i)));
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const pick = (q) => (lat.length ? lat[Math.min(lat.length - 1, Math.max(0, Math.ceil(q * lat.length) - 1))] : null);
  return { requests: lat.length, errors, error_kinds: kinds, seconds: elapsed, rps: lat.length / elapsed,
           p50_ms: pick(0.5), p90_ms: pick(0.9), p99_ms: pick(0.99), max_ms: lat.length ? lat[lat.length - 1] : null };
}

async function measure(conc, once, onError, afterWarmup) {
  const seconds = Number(opt.seconds || 10), warmup = Number(opt.warmup || 0);
  if (warmup > 0) await closedLoop(conc, warmup, once, onError);
  afterWarmup?.();
  const cpu0 = serverCpu(), me0 = process.cpuUsage();
  const r = await closedLoop(conc, seconds, once, onError);
  const cpu1 = serverCpu(), me = process.cpuUsage(me0);
  if (cpu0 && cpu1 && r.requests) {
    r.server_user_us_per_req = ((cpu1[0] - cpu0[0]) * 1e6) / clkTck / r.requests;
    r.server_sys_us_per_req = ((cpu1[1] - cpu0[1]) * 1e6) / clkTck / r.requests;
    r.server_cpu_us_per_req = r.server_user_us_per_req + r.server_sys_us_per_req;
  }
  if (r.requests) r.client_cpu_us_per_req = (me.user + me.system) / r.requests;
  r.server_hwm_kb = serverHwmKb();
  r.concurrency = conc;
  return r;
}

// ---- commands ----------------------------------------------------------------------------

async function main() {
  const conc = Number(opt.conc || 1);
  switch (opt._) {
    case 'prepare': {
      const adminToken = (await login(admin)).token;
      const reg = await api('POST', '/api/v1/admin/oidc/clients', {
        token: adminToken,
        body: { name: '压测接入系统（bench/auth）', redirect_uris: [redirectUri], scopes: ['profile', 'id_number'] },
      });
      must(reg.status === 201 && reg.json?.client_secret, 'register OIDC client', reg);
      const { token: session, accountId } = await login(citizen);
      const tokens = await codeFlow(reg.json.client_id, reg.json.client_secret, session);
      const info = await api('GET', '/oauth2/userinfo', { token: tokens.access_token });
      must(info.status === 200 && info.json?.sub, 'userinfo', info);
      const jwks = await api('GET', '/oauth2/jwks');
      must(jwks.status === 200 && jwks.json?.keys?.length, 'jwks', jwks);
      const shellSafe = (v) => { must(/^[A-Za-z0-9._-]+$/.test(v), 'unexpected characters in a value', { text: v }); return v; };
      process.stdout.write(`client_id=${shellSafe(reg.json.client_id)}\nclient_secret=${shellSafe(reg.json.client_secret)}\n` +
                           `session=${shellSafe(session)}\naccess_token=${shellSafe(tokens.access_token)}\n` +
                           `userinfo_bytes=${Buffer.byteLength(info.text)}\njwks_bytes=${Buffer.byteLength(jwks.text)}\n` +
                           `jwks_keys=${jwks.json.keys.length}\ncitizen_id=${Number(accountId)}\n`);
      return;
    }
    case 'healthz': {
      const once = async () => {
        const res = await fetch(`${base}/healthz`);
        await res.arrayBuffer();
        return res.status === 200 ? true : `HTTP ${res.status}`;
      };
      console.log(JSON.stringify(await measure(conc, once)));
      return;
    }
    case 'login': {
      const body = JSON.stringify({ login: citizen.login, password: citizen.password });
      const once = async () => {
        const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await res.text();
        if (res.status !== 200) {
          let code = '';
          try { code = JSON.parse(text).error.code; } catch { /* not our error shape */ }
          return `HTTP ${res.status} ${code}`.trim();
        }
        return text.includes('"token":"') ? true : 'HTTP 200 without a token';
      };
      // With --probe PATH: one GET of PATH every 25 ms during the measured window (and,
      // with --probe-idle S, for S seconds alone before it): does a login flood, which
      // holds worker threads for the length of a hash, delay everyone else's requests?
      const probePath = opt.probe;
      let probing = false;
      const probe = async (into) => {
        while (probing) {
          const s = performance.now();
          try {
            const res = await fetch(base + probePath);
            await res.arrayBuffer();
            into.push(res.status === 200 ? performance.now() - s : Infinity);
          } catch { into.push(Infinity); }
          const left = 25 - (performance.now() - s);
          if (left > 0) await new Promise((done) => setTimeout(done, left));
        }
      };
      const summary = (lat) => {
        lat.sort((a, b) => a - b);
        const pick = (q) => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil(q * lat.length) - 1)] : null);
        return { n: lat.length, failed: lat.filter((x) => x === Infinity).length, p50_ms: pick(0.5), p99_ms: pick(0.99),
                 max_ms: lat.length ? lat[lat.length - 1] : null };
      };
      const extra = {};
      if (probePath && Number(opt['probe-idle'] || 0) > 0) {
        const idle = [];
        probing = true;
        const p = probe(idle);
        await new Promise((done) => setTimeout(done, Number(opt['probe-idle']) * 1000));
        probing = false;
        await p;
        for (const [k, v] of Object.entries(summary(idle))) extra[`probe_idle_${k}`] = v;
      }
      const busy = [];
      let pending = null;
      const r = await measure(conc, once, undefined, () => {
        if (probePath) { probing = true; pending = probe(busy); }
      });
      probing = false;
      if (pending) {
        await pending;
        for (const [k, v] of Object.entries(summary(busy))) extra[`probe_${k}`] = v;
      }
      console.log(JSON.stringify({ ...r, ...extra }));
      return;
    }
    case 'refresh': {
      const id = opt['client-id'], secret = opt['client-secret'], session = opt.session;
      if (!id || !secret || !session) throw new Error('refresh needs --client-id, --client-secret and --session');
      const authz = basicAuth(id, secret);
      const chains = [];
      for (let i = 0; i < conc; i++) chains.push((await codeFlow(id, secret, session)).refresh_token);
      let restarts = 0;
      const once = async (i) => {
        const res = await fetch(`${base}/oauth2/token`, {
          method: 'POST',
          headers: { authorization: authz, 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=refresh_token&refresh_token=${chains[i]}`,
        });
        const text = await res.text();
        if (res.status !== 200) {
          let err = '';
          try { err = JSON.parse(text).error; } catch { /* not OAuth's error shape */ }
          return `HTTP ${res.status} ${err}`.trim();
        }
        const t = JSON.parse(text);
        if (!t.refresh_token || !t.access_token || !t.id_token) return 'HTTP 200 without tokens';
        chains[i] = t.refresh_token;
        return true;
      };
      // A broken chain (its refresh token refused) starts again with a new code flow.
      const onError = async (i) => {
        restarts++;
        try { chains[i] = (await codeFlow(id, secret, session)).refresh_token; } catch { /* counted on the next try */ }
      };
      const r = await measure(conc, once, onError, () => { restarts = 0; });
      r.chain_restarts = restarts;
      console.log(JSON.stringify(r));
      return;
    }
    default:
      throw new Error(`unknown command ${opt._}`);
  }
}

main().catch((e) => {
  console.error(`auth-load: ${e.message}`);
  process.exit(1);
});
