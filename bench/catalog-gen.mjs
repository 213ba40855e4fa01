// Catalogue data and request lists for ./bench/catalog (see bench/README.md): Node's own
// fetch, no npm packages. ./bench/catalog starts and stops the server; this file only talks
// to it over 127.0.0.1 and prints one JSON object per command.
//
//   node bench/catalog-gen.mjs import --base URL --count N [--batch B] [--seed S]
//       logs the platform admin in (password + TOTP, once), generates N implementation items
//       as variations of the 263 real ones in data/catalog/items.json, and imports them with
//       POST /api/v1/admin/items/import?publish=true in batches of B (2,000).
//   node bench/catalog-gen.mjs paths --base URL --dir DIR [--codes N] [--division CODE]
//       picks N (1,000) published item codes spread over every department
//       (GET /api/v1/departments, /api/v1/departments/{code}), fetches each guide once (200
//       and its size), and turns the 87 queries of data/catalog/search-queries.json into
//       search paths, plain and with &division=CODE (341502), each fetched once. Writes
//       DIR/guide-paths.lua, DIR/search-paths.lua, DIR/search-division-paths.lua.
//
// Variations (import): item k copies real item t = k mod 263 and changes
// - basic_code: "B" + 11 base-36 digits of k — unique, and distinct from the real codes
//   (which are all digits starting with 0);
// - name: the real name + a suffix (办理情形·申请人类别), unique per real item;
// - department: a body of the same line ministry (SCJG → SCJG, JA-SCJG, YA-SCJG, …; a
//   township centre → the five township centres), in turn; division_code is that body's
//   division and level follows its shape (…00 city, other 6 digits county, 9 digits township);
//   workflow steps, locations and the consultation phone move with the department.
// Everything else (legal basis, materials, conditions, form, aliases, themes) is the real
// item's, so the guide stays ~3–5 KB and the search text stays realistic Chinese.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { totpCode } from '../tests/support/totp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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

async function api(method, path, { token, body, raw } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, json, text, bytes: Buffer.byteLength(text) };
}

function must(cond, what, res) {
  if (!cond) throw new Error(`${what}: HTTP ${res?.status} ${res?.text ?? ''}`.slice(0, 1500));
}

// The code the server accepts now: at the server's own clock (GET /api/v1/version).
async function totp(base32) {
  const now = Date.parse((await api('GET', '/api/v1/version')).json.now) / 1000;
  return totpCode(base32, now);
}

async function login(who) {
  const res = await api('POST', '/api/v1/auth/login', { body: { login: who.login, password: who.password } });
  must(res.status === 200 && res.json?.token, `login ${who.login}`, res);
  const mfa = await api('POST', '/api/v1/auth/mfa', { token: res.json.token, body: { code: await totp(who.totp) } });
  must(mfa.status === 200, `TOTP for ${who.login}`, mfa);
  return res.json.token;
}

// ---- generation --------------------------------------------------------------------------

const readJson = (name) => JSON.parse(readFileSync(join(root, 'data/catalog', name), 'utf8'));

function levelOf(division) {
  if (division.length === 9) return 'township';
  return division.endsWith('00') ? 'city' : 'county';
}

// Situations (办理情形) × applicant categories (申请人类别): 6 × 13 = 78 distinct suffixes.
const situations = ['新办', '变更', '延续', '补办', '注销', '迁移'];
const categories = ['个人', '企业', '个体工商户', '农民专业合作社', '事业单位', '社会组织', '外商投资企业',
                    '分支机构', '港澳台居民', '外籍人员', '退役军人', '残疾人', '老年人'];

function generate(count, seed) {
  const templates = readJson('items.json');
  const departments = readJson('departments.json');
  const byCode = new Map(departments.map((d) => [d.code, d]));
  // A line ministry: the code's last segment (SCJG, JA-SCJG, HS-SCJG → SCJG); every township
  // centre (9-digit division) is one family.
  const family = (d) => (d.division_code.length === 9 ? '@township' : d.code.split('-').pop());
  const families = new Map();
  for (const d of departments) {
    const f = family(d);
    if (!families.has(f)) families.set(f, []);
    families.get(f).push(d);
  }
  const out = [];
  for (let k = 0; k < count; k++) {
    const t = k % templates.length;
    const round = Math.floor(k / templates.length);  // which variation of template t
    const tpl = templates[t];
    const home = byCode.get(tpl.department);
    const members = families.get(family(home));
    const dept = members[(round + t + seed) % members.length];
    const item = structuredClone(tpl);
    item.basic_code = 'B' + k.toString(36).toUpperCase().padStart(11, '0');
    let suffix = `${situations[round % situations.length]}·${categories[Math.floor(round / situations.length) % categories.length]}`;
    const lap = Math.floor(round / (situations.length * categories.length));
    if (lap > 0) suffix += `·第${lap + 1}批`;
    item.name = `${tpl.name}（${suffix}）`;
    item.department = dept.code;
    item.division_code = dept.division_code;
    item.level = levelOf(dept.division_code);
    if (dept.code !== tpl.department) {
      const move = (s) => { if (s.department === tpl.department) s.department = dept.code; };
      for (const s of item.workflow?.steps ?? []) {
        if (Array.isArray(s.parallel)) s.parallel.forEach(move);
        else move(s);
      }
      item.locations = [{ name: `${dept.name}办事窗口`, address: dept.address, hours: dept.hours }];
      item.consultation = dept.phone;
    }
    out.push(item);
  }
  return out;
}

// ---- commands ----------------------------------------------------------------------------

async function importItems() {
  const count = Number(opt.count || 19750), batch = Number(opt.batch || 2000), seed = Number(opt.seed || 0);
  if (!(count > 0 && batch > 0)) throw new Error('--count and --batch must be positive');
  const t0 = performance.now();
  const items = generate(count, seed);
  const genMs = performance.now() - t0;
  const token = await login(admin);
  const batches = [];
  const started = performance.now();
  for (let i = 0; i < items.length; i += batch) {
    const body = JSON.stringify(items.slice(i, i + batch));
    const s = performance.now();
    const res = await api('POST', '/api/v1/admin/items/import?publish=true', { token, body: null, raw: body });
    const ms = performance.now() - s;
    must(res.status === 201 && res.json?.created === Math.min(batch, items.length - i), `import batch at ${i}`, res);
    batches.push({ items: res.json.items, bytes: Buffer.byteLength(body), ms: Math.round(ms) });
    process.stderr.write(`  batch ${batches.length}: ${res.json.items} items, ${(Buffer.byteLength(body) / 1048576).toFixed(1)} MiB, ${(ms / 1000).toFixed(1)} s\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  const sizes = items.map((x) => Buffer.byteLength(JSON.stringify(x)));
  console.log(JSON.stringify({
    items: items.length, batches: batches.length, batch_size: batch, seconds, items_per_second: items.length / seconds,
    generate_ms: Math.round(genMs), item_bytes_mean: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
    batch_ms: batches.map((b) => b.ms), batch_mib: batches.map((b) => +(b.bytes / 1048576).toFixed(2)),
  }));
}

// A Lua table of request paths for wrk (every path is ASCII: codes, or URL-encoded queries).
function writeLua(file, paths) {
  for (const p of paths) if (!/^\/[\x21-\x7e]*$/.test(p) || p.includes('"') || p.includes('\\')) throw new Error(`unsafe path ${p}`);
  writeFileSync(file, `-- generated by bench/catalog-gen.mjs: ${paths.length} paths\npaths = {\n${paths.map((p) => `  "${p}",`).join('\n')}\n}\n`);
}

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const mean = v.reduce((a, b) => a + b, 0) / (v.length || 1);
  return { n: v.length, min: v[0] ?? null, mean: Math.round(mean), median: v[Math.floor(v.length / 2)] ?? null, max: v[v.length - 1] ?? null };
}

async function paths() {
  const want = Number(opt.codes || 1000), division = opt.division || '341502', dir = opt.dir;
  if (!dir) throw new Error('paths needs --dir');
  const depts = await api('GET', '/api/v1/departments');
  must(depts.status === 200 && depts.json?.items?.length, 'departments', depts);
  // Every published code, from every department's page; then a seeded shuffle, so the
  // chosen codes are a uniform sample over departments, divisions and real items.
  const all = [];
  for (const d of depts.json.items) {
    const page = await api('GET', `/api/v1/departments/${encodeURIComponent(d.code)}`);
    must(page.status === 200, `department ${d.code}`, page);
    for (const x of page.json.items) all.push(x.code);
  }
  const published = all.length;
  let state = 0x9e3779b9;
  const random = () => {  // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let r = Math.imul(state ^ (state >>> 15), 1 | state);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  all.sort();
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  const codes = all.slice(0, want);
  const guideBytes = [];
  let guideErrors = 0;
  for (const c of codes) {
    const res = await api('GET', `/api/v1/items/${c}`);
    if (res.status !== 200) guideErrors++;
    else guideBytes.push(res.bytes);
  }
  writeLua(join(dir, 'guide-paths.lua'), codes.map((c) => `/api/v1/items/${c}`));

  // Search: every query once, plain and filtered; check the expected basic codes in the top 10.
  const queries = readJson('search-queries.json');
  const report = {};
  for (const [name, extra] of [['search', ''], ['search_division', `&division=${division}`]]) {
    const list = queries.map((q) => `/api/v1/items?q=${encodeURIComponent(q.q)}${extra}`);
    const bytes = [], totals = [];
    let errors = 0, found = 0, empty = 0;
    const missed = [];
    for (let i = 0; i < list.length; i++) {
      const res = await api('GET', list[i]);
      if (res.status !== 200) { errors++; continue; }
      bytes.push(res.bytes);
      totals.push(res.json.total);
      if (!res.json.total) empty++;
      const top = new Set(res.json.items.slice(0, 10).map((x) => x.basic_code));
      if (queries[i].expect.every((b) => top.has(b))) found++;
      else missed.push(queries[i].q);
    }
    writeLua(join(dir, `${name.replace('_', '-')}-paths.lua`), list);
    report[name] = { queries: list.length, errors, bytes: stats(bytes), matches: stats(totals), empty, expected_in_top10: found, missed_in_top10: missed };
  }
  console.log(JSON.stringify({ published, codes: codes.length, guide_errors: guideErrors, guide_bytes: stats(guideBytes), ...report }));
}

async function main() {
  switch (opt._) {
    case 'import': return importItems();
    case 'paths': return paths();
    default: throw new Error(`unknown command ${opt._}`);
  }
}

main().catch((e) => {
  console.error(`catalog-gen: ${e.message}`);
  process.exit(1);
});
