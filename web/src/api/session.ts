// Who is logged in, shared by every page. The session itself is the HttpOnly cookie; this
// keeps the account (GET /api/v1/me) and the CSRF token that writes must carry.
import { reactive } from 'vue';
import { api, setCsrfToken } from './client';

export interface Role {
  role: string;
  department: string | null;
  division_code: string | null;
}
export interface Account {
  id: number;
  name: string;
  kind: 'person' | 'staff';
  phone?: string;
  id_number?: string;
  staff_no?: string;
  real_name_level?: number;
  roles: Role[];
  totp_enabled: boolean;
  acting_company_id: number | null;
}

export const session = reactive({
  loaded: false,
  account: null as Account | null,
  mfaPending: false,
});

interface SessionAnswer {
  account: Account | null;
  csrf_token?: string;
  mfa_pending?: boolean;
  password_change_pending?: boolean;
}

let loading: Promise<void> | null = null;

/** Resolves once the first answer about the session is in (pages that need an account wait). */
export function sessionReady(): Promise<void> {
  return loading ?? loadSession();
}

/** Asks who the session cookie belongs to (always 200, so anonymous pages log no error). */
export function loadSession(): Promise<void> {
  loading = fetchSession();
  return loading;
}

async function fetchSession() {
  try {
    const s = await api.get<SessionAnswer>('/api/v1/session');
    setCsrfToken(s.csrf_token ?? '');
    // A login that still owes its second factor is not logged in yet.
    session.account = s.mfa_pending ? null : s.account;
    session.mfaPending = !!s.mfa_pending;
  } finally {
    session.loaded = true;
  }
}

export function hasRole(...roles: string[]) {
  return !!session.account?.roles.some((r) => roles.includes(r.role));
}

export const STAFF_ROLES = ['window_clerk', 'approver', 'department_admin', 'supervisor', 'platform_admin',
  'hall_manager', 'hotline_operator', 'auditor', 'catalog_reviewer'];

export function isStaff() {
  return hasRole(...STAFF_ROLES);
}

export async function logIn(login: string, password: string) {
  const res = await api.post<{ csrf_token: string; mfa_required: boolean; mfa_enrollment_required: boolean }>(
    '/api/v1/auth/login', { body: { login, password } });
  setCsrfToken(res.csrf_token);
  session.mfaPending = res.mfa_required;
  if (!res.mfa_required) await loadSession();
  return res;
}

export async function confirmMfa(code: string) {
  await api.post('/api/v1/auth/mfa', { body: { code } });
  session.mfaPending = false;
  await loadSession();
}

export async function logOut() {
  try {
    await api.post('/api/v1/auth/logout');
  } finally {
    setCsrfToken('');
    session.account = null;
  }
}
