// What the applicant's pages read and send: the item's guide and form schema, cases, drafts,
// licences, companies and ratings (shapes as the server answers them), their Chinese labels,
// and the form rules of src/cases/form.cpp so fields are checked as people type.
import { ApiError } from './client';
import type { Department, FieldValue, FormField, FormData, ItemMaterial } from './cases';
import { businessToday, checkDivisionCode, checkResidentId, checkUscc, isMobileOrLandline } from './ids';

// The case view's shapes and labels live in ./cases; the pages that read them from here still may.
export type {
  CaseMaterial, CaseSummary, CaseView, ClockStatus, CorrectionItem, Department, Evaluation, FieldType, FieldValue,
  FormData, FormField, ItemMaterial, TimelineEntry, WorkflowStep,
} from './cases';
export {
  CHANNELS, CLOSURES, DELIVERY_LABELS, EVALUATION_STATES, LIMIT_STATES, MATERIAL_FORMS, OUTCOMES, PAUSE_KINDS,
  STEP_STATUS, eventLabel,
} from './cases';
export { formatInstant } from './labels';

// ---- the item (GET /api/v1/items/{code}) ---------------------------------------------------

export interface ItemGuide {
  code: string;
  basic_code: string;
  name: string;
  version: number;
  status: string;
  department: Department;
  division?: { code: string; name: string };
  form: { fields: FormField[] };
  materials: ItemMaterial[];
  statutory_limit_days: number;
  promised_limit_days: number;
  limit_note: string;
  kind: 'immediate' | 'promised';
  online: boolean;
  negative_list: boolean;
  negative_reason: string | null;
  required_real_name_level: number;
  service_objects: ('natural_person' | 'legal_person')[];
  result: { type: 'licence' | 'document' | 'none'; name?: string; licence_type?: string };
  delivery: string[];
  visits: number;
  consultation: string;
  fees: { name: string; amount_fen: number; basis: string }[];
}

// ---- the form rules (src/cases/form.cpp) -------------------------------------------------

/** Characters as people see them (the server counts UTF-8 code points). */
export function charCount(s: string) {
  return [...s].length;
}

export function isEmpty(v: FieldValue | undefined) {
  return v === undefined || v === null || v === '';
}

function isRealDate(s: string) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number);
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The server's message for one field, or null when it passes. */
export function checkField(f: FormField, v: FieldValue | undefined, today = businessToday()): string | null {
  const label = f.label || f.name;
  if (isEmpty(v)) return f.required ? `${label}为必填项` : null;
  const type = f.type ?? 'text';
  if (type === 'number') {
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${label}应为数字`;
    if (typeof f.min === 'number' && v < f.min) return `${label}不能小于 ${f.min}`;
    if (typeof f.max === 'number' && v > f.max) return `${label}不能大于 ${f.max}`;
    return null;
  }
  if (type === 'boolean') return typeof v === 'boolean' ? null : `${label}应为是或否`;
  if (typeof v !== 'string') return `${label}应为文字`;
  switch (type) {
    case 'date':
      return isRealDate(v) ? null : `${label}应为日期（YYYY-MM-DD）`;
    case 'select':
      return (f.options ?? []).includes(v) ? null : `${label}须从给定选项中选择`;
    case 'id_number': {
      const c = checkResidentId(v, today);
      return c.valid ? null : `${label}：${c.reason}`;
    }
    case 'uscc': {
      const c = checkUscc(v);
      return c.valid ? null : `${label}：${c.reason}`;
    }
    case 'division': {
      const c = checkDivisionCode(v);
      return c.valid ? null : `${label}：${c.reason}`;
    }
    case 'phone':
      return isMobileOrLandline(v) ? null : `${label}应为手机号或带区号的固定电话`;
    default: {
      const max = f.max_length ?? 500;
      return charCount(v) > max ? `${label}不能超过 ${max} 个字` : null;
    }
  }
}

// ---- 422 answers: every problem, placed next to what it is about ---------------------------

export interface Problem {
  field: string;
  problem: string;
  message?: string;
  value?: unknown;
}

export function problemsOf(e: unknown): Problem[] {
  if (!(e instanceof ApiError)) return [];
  const list = e.details?.problems;
  return Array.isArray(list) ? (list as Problem[]) : [];
}

/** Fallback wording when a problem carries no message of its own. */
export function problemText(p: Problem): string {
  if (p.message) return p.message;
  const words: Record<string, string> = {
    required: '此项为必填项', type: '格式不正确', unknown: '不是本事项的内容', not_found: '找不到该文件',
    correction_missing: `补正告知中的材料“${String(p.value ?? '')}”尚未补交`, max_length: '内容过长',
  };
  return words[p.problem] ?? `${p.field}：${p.problem}`;
}

// ---- uploads and materials ---------------------------------------------------------------

export const UPLOAD_ACCEPT = '.pdf,.jpg,.jpeg,.png,.ofd,.docx,.xlsx';
export const UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

export interface Uploaded {
  id: number;
  file_name: string;
  media_type?: string;
  size?: number;
}

/** One material as the applicant has given it: an upload, or a held e-licence. */
export interface MaterialChoice {
  name: string;
  upload?: Uploaded;
  licence?: string;
}

export function formatSize(bytes?: number) {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// ---- drafts (POST/PUT /api/v1/me/drafts) -------------------------------------------------

export interface DraftData {
  item: string;
  item_name?: string;
  form: FormData;
  materials: MaterialChoice[];
  step?: number;
}

export interface Draft {
  id: number;
  item: string;
  data: DraftData;
  updated_at: string;
}

// ---- cases --------------------------------------------------------------------------------

export interface SubmitAnswer {
  case_no: string;
  item: { code: string; name?: string; version: number };
  status: string;
  next: string;
}

/** The applicant may withdraw while the case is still being handled (src/cases/lifecycle.cpp). */
export const WITHDRAWABLE = ['submitted', 'correction_required', 'accepted', 'in_progress', 'special_procedure'];
/** A result exists: the case can be rated (src/evaluation/service.cpp). */
export const RATEABLE = ['decided_approved', 'decided_rejected', 'delivered', 'closed', 'refused'];

// ---- licences -----------------------------------------------------------------------------

export interface Licence {
  licence_id: string;
  type: { code: string; name: string };
  department: string;
  version: number;
  holder: { kind: 'person' | 'company'; name: string; id: string };
  status: string;
  status_label: string;
  state_reason: string | null;
  valid_from: string;
  valid_to: string;
  case_no: string | null;
  issued_at: string;
  data?: Record<string, unknown>;
  grants?: Grant[];
}

export interface Grant {
  id: number;
  department: string;
  case_no: string | null;
  granted_at: string;
  revoked_at: string | null;
}

// ---- companies ----------------------------------------------------------------------------

export interface Agent {
  uscc: string;
  company_name: string;
  account_id: number;
  account_name: string;
  scope: string[];
  expires_at: string;
}

export const AGENT_SCOPES: Record<string, string> = {
  '*': '全部权限（法定代表人）', apply: '申请办事', view: '查看办件', pay: '缴费', manage_agents: '管理经办人',
};
export function mayManageAgents(a: Agent) {
  return a.scope.includes('*') || a.scope.includes('manage_agents');
}

// The session's chosen company, by USCC: GET /api/v1/me gives only its numeric id, which no
// other answer carries, so the choice made here is remembered for this browser tab.
const ACTING_KEY = 'tb.acting_uscc';
export function rememberActing(uscc: string | null) {
  if (uscc) sessionStorage.setItem(ACTING_KEY, uscc);
  else sessionStorage.removeItem(ACTING_KEY);
}
export function rememberedActing(): string | null {
  return sessionStorage.getItem(ACTING_KEY);
}

// ---- ratings (好差评) ---------------------------------------------------------------------

export const LEVELS: { level: number; name: string }[] = [
  { level: 5, name: '非常满意' }, { level: 4, name: '满意' }, { level: 3, name: '基本满意' },
  { level: 2, name: '不满意' }, { level: 1, name: '非常不满意' },
];
export const GOOD_TAGS = ['办事效率高', '服务态度好', '一次性告知清楚', '网上办理便捷', '少跑腿'];
export const BAD_TAGS = ['态度差', '告知不清', '办理时间长', '多次跑动', '系统不好用', '材料要求多'];

// ---- little helpers -----------------------------------------------------------------------

/** The last day an authorisation holds: it ends at the instant given, so midnight belongs to the day before. */
export function lastDay(instant: string) {
  const t = Date.parse(instant);
  if (Number.isNaN(t)) return instant.slice(0, 10);
  return new Date(t - 1 + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Only paths inside this site: ?next= must not send people elsewhere. */
export function safeNext(next: unknown): string | null {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : null;
}

export function errorText(e: unknown) {
  return e instanceof ApiError ? e.message : '操作失败，请稍后重试';
}
