// Identity numbers and passwords, checked as people type with exactly the server's rules
// (src/core/ids.cpp, src/cases/form.cpp, src/identity/service.cpp; STANDARDS §1, §8), so the
// messages here are the ones the server would give.

export interface Check {
  valid: boolean;
  reason: string;
}

const VALID: Check = { valid: true, reason: '校验通过' };
const bad = (reason: string): Check => ({ valid: false, reason });

// GB 11643-1999: 2^(17−i) mod 11 for positions 1–17.
const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_CHECK_CHARS = '10X98765432';

// GB 32100-2015: 31 symbols without I, O, S, V, Z; weights 3^(i−1) mod 31.
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_AUTHORITIES = '123456789ANY';

// GB 11714.
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

// Township sequence codes 001–599 (街道, 镇, 乡, 政企合一 units), as the server allows.
const TOWNSHIP_MIN = 1;
const TOWNSHIP_MAX = 599;
const TAIWAN_RESIDENCE_PERMIT_PREFIX = 83;

const isDigit = (c: string) => c >= '0' && c <= '9';
const isUpper = (c: string) => c >= 'A' && c <= 'Z';
const allDigits = (s: string) => s.length > 0 && [...s].every(isDigit);
const hasLower = (s: string) => /[a-z]/.test(s);

function isProvince(p: number) {
  return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
    (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p === 71 || p === 81 || p === 82;
}

function positionText(index: number, c: string) {
  let s = `第 ${index + 1} 位`;
  if (c.length === 1 && c >= '!' && c <= '~') s += `“${c}”`;
  return s;
}

/** Today's date in Beijing time (the server's business date), as YYYY-MM-DD. */
export function businessToday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function residentCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * RESIDENT_WEIGHTS[i];
  return RESIDENT_CHECK_CHARS[sum % 11];
}

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

export function orgCodeCheckChar(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = first8[i];
    sum += (isDigit(c) ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65 + 10) * ORG_CODE_WEIGHTS[i];
  }
  const c = 11 - (sum % 11);
  if (c === 10) return 'X';
  if (c === 11) return '0';
  return String(c);
}

/** A real calendar date? (month 1–12, day within the month, leap years.) */
function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function pad(n: number, width: number) {
  return String(n).padStart(width, '0');
}

/** GB 11643-1999 resident ID number; `today` is YYYY-MM-DD (defaults to Beijing today). */
export function checkResidentId(id: string, today = businessToday()): Check {
  if (id.length !== 18) return bad('身份证号码应为 18 位');
  if (!allDigits(id.slice(0, 17))) return bad('身份证号码前 17 位应全部为数字');
  const last = id[17];
  if (last === 'x') return bad('身份证号码最后一位校验码应使用大写字母 X，不能使用小写 x');
  if (!isDigit(last) && last !== 'X') return bad('身份证号码最后一位校验码应为数字或大写字母 X');
  const province = Number(id.slice(0, 2));
  if (!isProvince(province) && province !== TAIWAN_RESIDENCE_PERMIT_PREFIX)
    return bad(`身份证号码前两位省级行政区划代码“${id.slice(0, 2)}”不存在`);
  const y = Number(id.slice(6, 10)), m = Number(id.slice(10, 12)), d = Number(id.slice(12, 14));
  if (!realDate(y, m, d)) return bad('身份证号码第 7–14 位出生日期不是真实存在的日期');
  const birth = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
  if (birth > today) return bad('身份证号码中的出生日期晚于今天');
  if (birth < '1900-01-01') return bad('身份证号码中的出生日期早于 1900 年 1 月 1 日');
  if (residentCheckChar(id.slice(0, 17)) !== last) return bad('身份证号码最后一位校验码不正确，请核对号码是否填写有误');
  return VALID;
}

/** GB 11714 organisation code (9 characters, no hyphen). */
export function checkOrgCode(code: string): Check {
  if (code.length !== 9) return bad('组织机构代码应为 9 位（不含连字符）');
  if (hasLower(code)) return bad('组织机构代码中的字母应为大写');
  for (let i = 0; i < 8; i++)
    if (!isDigit(code[i]) && !isUpper(code[i]))
      return bad(`组织机构代码前 8 位应为数字或大写字母，${positionText(i, code[i])}不符合`);
  if (!isDigit(code[8]) && code[8] !== 'X') return bad('组织机构代码第 9 位校验码应为数字或大写字母 X');
  if (orgCodeCheckChar(code.slice(0, 8)) !== code[8]) return bad('组织机构代码校验码不正确，请核对代码是否填写有误');
  return VALID;
}

/** GB 32100-2015 unified social credit code (统一社会信用代码). */
export function checkUscc(code: string): Check {
  if (code.length !== 18) return bad('统一社会信用代码应为 18 位');
  if (hasLower(code)) return bad('统一社会信用代码中的字母应为大写');
  for (let i = 0; i < 18; i++)
    if (!USCC_ALPHABET.includes(code[i]))
      return bad(`统一社会信用代码${positionText(i, code[i])}不是允许的字符，只能使用数字和除 I、O、S、V、Z 以外的大写字母`);
  if (!USCC_AUTHORITIES.includes(code[0]))
    return bad(`统一社会信用代码第 1 位登记管理部门代码“${code[0]}”无效，应为 1–9、A、N 或 Y`);
  if (!allDigits(code.slice(2, 8))) return bad('统一社会信用代码第 3–8 位登记管理机关行政区划码应全部为数字');
  const org = code.slice(8, 17);
  if ((!isDigit(org[8]) && org[8] !== 'X') || orgCodeCheckChar(org.slice(0, 8)) !== org[8])
    return bad('统一社会信用代码第 9–17 位组织机构代码的校验码（第 17 位）不正确');
  if (usccCheckChar(code.slice(0, 17)) !== code[17]) return bad('统一社会信用代码第 18 位校验码不正确，请核对代码是否填写有误');
  return VALID;
}

/** GB/T 2260 division code of 6, 9 or 12 digits. */
export function checkDivisionCode(code: string): Check {
  if (code.length !== 6 && code.length !== 9 && code.length !== 12) return bad('行政区划代码应为 6 位、9 位或 12 位');
  if (!allDigits(code)) return bad('行政区划代码应全部为数字');
  if (!isProvince(Number(code.slice(0, 2)))) return bad(`行政区划代码前两位省级代码“${code.slice(0, 2)}”不存在`);
  const noCity = code.slice(2, 4) === '00';
  if (noCity && code.slice(4, 6) !== '00') return bad('行政区划代码第 3–4 位市级代码为 00 时，第 5–6 位县级代码也应为 00');
  if (code.length === 6) return VALID;
  if (noCity) return bad('乡级行政区划代码的前 6 位应为市级或县级代码，第 3–4 位不能为 00');
  const township = Number(code.slice(6, 9));
  if (township < TOWNSHIP_MIN || township > TOWNSHIP_MAX)
    return bad(`行政区划代码第 7–9 位乡级代码“${code.slice(6, 9)}”不在规定范围内（001–099 街道，100–199 镇，200–399 乡，400–599 政企合一单位）`);
  return VALID;
}

/** A mobile number as accounts use it: 11 digits starting with 1. */
export function isMobile(phone: string): boolean {
  return /^1[0-9]{10}$/.test(phone);
}

/** Form fields of type phone: a mobile 1[3-9]…, or a landline with its area code (0564-3371000). */
export function isMobileOrLandline(s: string): boolean {
  if (/^1[3-9][0-9]{9}$/.test(s)) return true;
  const dash = s.indexOf('-');
  if (dash >= 0) {
    const area = s.slice(0, dash), local = s.slice(dash + 1);
    return /^0[0-9]{2,3}$/.test(area) && /^[0-9]{7,8}$/.test(local);
  }
  return /^0[0-9]{9,11}$/.test(s);
}

/** The server's password policy: the reason it would refuse `pw`, or null. */
export function passwordWeakness(pw: string, idNumber = '', phone = ''): string | null {
  const bytes = new TextEncoder().encode(pw).length;  // the server counts bytes
  if (bytes < 8) return '密码至少 8 位';
  if (bytes > 128) return '密码不能超过 128 位';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(pw)).length;
  if (classes < 3) return '密码须包含大写字母、小写字母、数字、符号中的至少三类';
  const contains = (needle: string) => {
    if (needle.length < 6) return false;
    const hay = pw.toUpperCase(), n = needle.toUpperCase();
    // Any 6 consecutive characters of the number count: birthdays and phone tails are guessable.
    for (let i = 0; i + 6 <= n.length; i++) if (hay.includes(n.slice(i, i + 6))) return true;
    return false;
  };
  if (contains(idNumber)) return '密码不能包含身份证号码';
  if (contains(phone)) return '密码不能包含手机号码';
  return null;
}
