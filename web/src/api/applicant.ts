// What the applicant's pages read and send: the item's guide and form schema, cases, drafts,
// licences, companies and ratings (shapes as the server answers them), their Chinese labels,
// and the form rules of src/cases/form.cpp so fields are checked as people type.
import { ApiError } from './client';
import { businessToday, checkDivisionCode, checkResidentId, checkUscc, isMobileOrLandline } from './ids';

// ---- the item (GET /api/v1/items/{code}) ---------------------------------------------------

export type FieldType = 'text' | 'number' | 'date' | 'select' | 'id_number' | 'uscc' | 'phone' | 'division' | 'boolean';
export type FieldValue = string | number | boolean | null;
export type FormData = Record<string, FieldValue>;

export interface FormField {
  name: string;
  label: string;
  type: FieldType;
  required?: boolean;
  max_length?: number;
  min?: number;
  max?: number;
  options?: string[];
}

export interface ItemMaterial {
  name: string;
  form: 'original' | 'copy' | 'electronic';
  copies: number;
  required: boolean;
  condition: string | null;
  licence_type: string | null;
  blank_form: string | null;
  sample: string | null;
  note: string;
}

export interface Department {
  code: string;
  name: string;
  phone?: string;
  address?: string;
  hours?: string;
  uscc?: string;
  division_code?: string;
}

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

export const MATERIAL_FORMS: Record<string, string> = { original: '原件', copy: '复印件', electronic: '电子件' };
export const DELIVERY_LABELS: Record<string, string> = { window: '窗口领取', mail: '邮寄送达', electronic: '电子送达' };

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

export interface CaseSummary {
  case_no: string;
  item: { code: string; name: string; version: number };
  status: string;
  status_label: string;
  channel: string;
  deadline: string | null;
  submitted_at: string;
  updated_at: string;
  version: number;
}

export interface CaseMaterial {
  id: number;
  name: string;
  source: 'upload' | 'licence';
  superseded: boolean;
  added_at: string;
  file_name?: string;
  media_type?: string;
  size?: number;
  licence?: string;
}

export interface CorrectionItem {
  material: string;
  reason: string;
}

export interface TimelineEntry {
  position: number;
  type: string;
  at: string;
  actor?: string;
  step?: string;
  name?: string;
  outcome?: string;
  opinion?: string;
  reason?: string;
  legal_basis?: string;
  items?: CorrectionItem[];
  mode?: string;
  days?: number;
  result?: string;
  closure?: string;
  department?: string;
  cause?: string;
}

export interface WorkflowStep {
  key: string;
  name: string;
  department: string;
  role: string;
  limit_days: number;
  status: 'pending' | 'active' | 'approved' | 'rejected' | 'cancelled';
  started_on: string | null;
  finished_on: string | null;
  opinion: string;
}

export interface ClockStatus {
  deadline: string;
  limit_days: number;
  used_days: number;
  left_days: number;
  paused: boolean;
  finished: boolean;
  state: 'normal' | 'warning' | 'overdue';
}

export interface CaseView extends CaseSummary {
  department: string;
  division: string;
  applicant: { name: string };
  form: FormData;
  scenario?: string;
  parent_case_no?: string;
  children?: CaseSummary[];
  materials?: CaseMaterial[];
  timeline?: TimelineEntry[];
  correction_notice?: { items: CorrectionItem[]; at: string; phase: 'pre_acceptance' | 'review' };
  tasks?: { step: string; name: string; department: string; deadline: string | null }[];
  workflow?: { status: string; current: number; stages: { parallel: boolean; steps: WorkflowStep[] }[] };
  pauses?: { kind: string; name: string; start: string; end: string | null }[];
  extensions?: number[];
  limits?: { case: ClockStatus; steps: (ClockStatus & { step: string })[] };
}

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

export const LIMIT_STATES: Record<string, string> = { normal: '正常', warning: '即将到期', overdue: '已超期' };
export const STEP_STATUS: Record<string, string> = {
  pending: '未开始', active: '办理中', approved: '已同意', rejected: '不同意', cancelled: '已取消',
};
export const CHANNELS: Record<string, string> = { online: '网上申请', window: '窗口申请', terminal: '自助终端' };
export const PAUSE_KINDS: Record<string, string> = { special_procedure: '特别程序', correction: '补正' };

const EVENT_LABELS: Record<string, string> = {
  'case.submitted': '提交申请',
  'case.accepted': '已受理',
  'case.correction_required': '一次性告知补正材料',
  'case.resubmitted': '已提交补正材料',
  'case.refused': '不予受理',
  'case.withdrawn': '申请人撤回申请',
  'case.special_procedure_started': '进入特别程序（暂停计时）',
  'case.special_procedure_ended': '特别程序结束（恢复计时）',
  'case.extended': '延长办理期限',
  'case.step_completed': '审批环节办结',
  'case.step_returned': '退回上一环节',
  'case.step_transferred': '转交其他部门',
  'case.decided': '作出审批决定',
  'case.delivered': '结果已送达',
  'case.closed': '办结',
  'step.activated': '环节开始办理',
  'step.completed': '环节办理完成',
  'step.cancelled': '环节已取消',
  'workflow.joined': '并联审批汇合',
  'workflow.finished': '审批流程结束',
  'exchange.resent': '办件信息重新报送省平台',
};
export function eventLabel(type: string) {
  return EVENT_LABELS[type] ?? '办理记录';
}
export const OUTCOMES: Record<string, string> = { approve: '同意', reject: '不同意', approved: '同意', rejected: '不同意' };
export const CLOSURES: Record<string, string> = {
  issued: '准予许可并发放结果', rejected: '不予许可', correction_not_supplied: '逾期未补正', withdrawn: '申请已撤回',
  refused: '不予受理', delivered: '已送达',
};

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

export interface Evaluation {
  id: number;
  case_no: string;
  item: { code: string; name: string };
  department: string;
  level: number;
  level_name: string;
  bad: boolean;
  tags: string[];
  comment: string;
  channel: string;
  state: 'rated' | 'callback_due' | 'rectifying' | 'rectified' | 'removed';
  ratings: number;
  anonymous: boolean;
  rated_at: string;
  call_back?: { at: string; note: string };
  rectify_deadline?: string;
  rectification?: { result: string; at: string | null };
  may_rate_again: boolean;
}

export const EVALUATION_STATES: Record<string, string> = {
  rated: '已评价',
  callback_due: '差评待回访',
  rectifying: '整改中',
  rectified: '已整改',
  removed: '经申诉核实已撤销',
};

// ---- little helpers -----------------------------------------------------------------------

/** "2026-02-12T09:00:00.000+08:00" → "2026-02-12 09:00" (Beijing time as the server writes it). */
export function formatInstant(s?: string | null) {
  if (!s) return '';
  return s.replace('T', ' ').slice(0, 16);
}

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
