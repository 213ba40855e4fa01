// The staff workbench's view of the API: response shapes of the case routes (src/cases),
// evaluations and supervision orders, Chinese labels, and which case actions a member of
// staff may take — decided here from the case's status, its workflow and the user's roles,
// the same rules src/cases/lifecycle.cpp enforces (the server stays the judge).
import { onBeforeUnmount, ref } from 'vue';
import type { CaseView, FormField, ItemMaterial, LimitState, WorkflowStep } from './cases';
import { api, ApiError } from './client';
import { departments } from './labels';
import { session } from './session';

// The case view's shapes and labels live in ./cases, department names in ./labels; the
// workbench's pages still read them from here.
export type {
  CaseMaterial, CaseTask, CaseView, ClockStatus, CorrectionItem, Evaluation, FormField, ItemMaterial, LimitState,
  Pause, SupervisionOrder, TimelineEntry, Workflow, WorkflowStep,
} from './cases';
export {
  CHANNEL_LABELS, CLOSURE_LABELS, DELIVERY_MODES, EVENT_LABELS, LIMIT_STATE_LABELS, OUTCOME_LABELS, STEP_STATUS_LABELS,
  WORKFLOW_STATUS_LABELS, deliveryLabel, limitStateLabel,
} from './cases';
export { departmentName, departments, ensureDepartments, loadDepartments } from './labels';
/** A hit of the public item search (GET /api/v1/items). */
export type { ItemHit } from './catalog';

// ---- shapes ------------------------------------------------------------------------------

export interface TodoItem {
  case_no: string;
  item: { code: string; name: string };
  applicant: string;
  channel: string;
  status: string;
  status_label: string;
  step: string;
  step_name: string;
  role: string;
  department: string;
  started_on: string;
  claimed_by: number | null;
  version: number;
  submitted_at: string;
  deadline?: string;
  limit_state?: LimitState;
  days_left?: number;
}

export interface ItemDetail {
  code: string;
  name: string;
  kind?: string;
  version?: number;
  department?: { code: string; name: string } | string;
  form?: { fields: FormField[] };
  materials?: ItemMaterial[];
  special_procedures?: { name: string; max_days?: number }[];
  result?: { type?: string; name?: string; licence_type?: string };
  delivery?: string[];
  handling_forms?: string[];
  legal_basis?: { name: string; text?: string }[];
  promised_limit_days?: number;
}

export interface LicenceType {
  code: string;
  name: string;
  holder: 'company' | 'person';
  issued_by?: string[];
  fields?: FormField[];
}

/** "2026-03-02T09:00:00.000+08:00" → "2026-03-02 09:00" (times are Beijing time already). */
export function formatTime(at?: string | null): string {
  if (!at) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(at);
  return m ? `${m[1]} ${m[2]}` : at;
}

export function formatSize(bytes?: number): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// ---- errors ------------------------------------------------------------------------------

interface Problem {
  field?: string;
  problem?: string;
  message?: string;
  value?: unknown;
}

const PROBLEM_WORDS: Record<string, string> = {
  required: '必填',
  not_found: '找不到',
  one_of: '取值不在允许范围',
  not_in_earlier_notice: '不在此前的补正告知中（一次性告知后只能就同样的材料再次告知）',
  exceeds_max: '超过可延长的工作日',
  not_positive: '须为正数',
  same_department: '不能与原部门相同',
  type: '格式不正确',
  range: '超出范围',
};

const FIELD_WORDS: Record<string, string> = {
  result: '结果', note: '回访记录', reason: '理由', legal_basis: '法律依据', opinion: '意见', name: '名称',
  days: '天数', department: '部门', corrections: '补正材料', material: '材料名称', reply: '办理情况', outcome: '结果',
  mode: '送达方式', delivery_mode: '送达方式', step: '环节', attachments: '附件', materials: '材料', action: '操作',
  applicant: '申请人', id_number: '身份证号码', holder: '持证主体', uscc: '统一社会信用代码', item: '事项', channel: '渠道',
};

/** "corrections[1].reason" → "补正材料第 2 项 理由". */
function fieldWords(field: string): string {
  return field.split('.').map((part) => {
    const m = /^(\w+)\[(\d+)\]$/.exec(part);
    if (m) return `${FIELD_WORDS[m[1]] ?? m[1]}第 ${Number(m[2]) + 1} 项`;
    return FIELD_WORDS[part] ?? part;
  }).join(' ');
}

/** The server's Chinese message, plus each problem it listed, for people to read. */
export function problemsOf(e: unknown): string[] {
  if (!(e instanceof ApiError)) return [];
  const problems = (e.details?.problems ?? []) as Problem[];
  if (!Array.isArray(problems)) return [];
  return problems.map((p) => {
    if (p.message) return p.message;
    const word = PROBLEM_WORDS[p.problem ?? ''] ?? p.problem ?? '';
    const value = typeof p.value === 'string' ? `（${p.value}）` : '';
    return `${fieldWords(p.field ?? '')} ${word}${value}`.trim();
  });
}

export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return '操作失败，请稍后重试';
}

// ---- departments -------------------------------------------------------------------------

function departmentCode(nameOrCode?: string | null): string {
  if (!nameOrCode) return '';
  return departments.value.find((d) => d.name === nameOrCode || d.code === nameOrCode)?.code ?? nameOrCode;
}

// ---- who may do what ----------------------------------------------------------------------

/** The user's staff grants that act on cases, with departments as catalogue codes. */
export function myActors(): { role: string; department: string }[] {
  return (session.account?.roles ?? [])
    .filter((r) => r.role === 'window_clerk' || r.role === 'approver')
    .map((r) => ({ role: r.role, department: departmentCode(r.department) }));
}

export function allSteps(c: CaseView): WorkflowStep[] {
  return (c.workflow?.stages ?? []).flatMap((s) => s.steps);
}

export type CaseAction =
  | 'accept' | 'require_correction' | 'refuse' | 'complete_step' | 'decide_step' | 'return_step' | 'transfer_step'
  | 'start_special_procedure' | 'end_special_procedure' | 'extend' | 'decide' | 'deliver' | 'close' | 'issue_licence';

export interface Allowed {
  actions: Set<CaseAction>;
  /** Active steps the user may complete (their role and department). */
  mySteps: WorkflowStep[];
  /** Steps the user may hand to another department. */
  transferable: WorkflowStep[];
  /** Earlier serial steps the case may be returned to. */
  returnTargets: WorkflowStep[];
}

export function allowedActions(c: CaseView, item: ItemDetail | null): Allowed {
  const actors = myActors();
  const clerk = actors.some((a) => a.role === 'window_clerk');
  const approverDepts = actors.filter((a) => a.role === 'approver').map((a) => a.department);
  const steps = allSteps(c);
  const active = steps.filter((s) => s.status === 'active');
  const caseApprover = approverDepts.includes(c.department);
  const stepApprover = caseApprover || active.some((s) => approverDepts.includes(s.department));
  const accepted = !!c.limits || (c.timeline ?? []).some((e) => e.type === 'case.accepted');
  const wf = c.workflow;
  const s = c.status;
  const out: Allowed = { actions: new Set(), mySteps: [], transferable: [], returnTargets: [] };
  const add = (a: CaseAction, when: boolean) => when && out.actions.add(a);

  out.mySteps = ['accepted', 'in_progress'].includes(s)
    ? active.filter((st) => actors.some((a) => a.role === st.role && a.department === st.department))
    : [];
  add('accept', s === 'submitted' && (clerk || caseApprover));
  add('require_correction', ['submitted', 'accepted', 'in_progress'].includes(s) && (clerk || stepApprover));
  add('refuse', (s === 'submitted' || (s === 'correction_required' && !accepted)) && (clerk || caseApprover));
  if (out.mySteps.some((st) => st.key !== 'decide')) out.actions.add('complete_step');
  if (out.mySteps.some((st) => st.key === 'decide')) out.actions.add('decide_step');
  if (s === 'in_progress' && wf?.status === 'running' && out.mySteps.length)
    out.returnTargets = wf.stages.slice(0, wf.current).filter((st) => !st.parallel).flatMap((st) => st.steps);
  add('return_step', out.returnTargets.length > 0);
  if (['accepted', 'in_progress'].includes(s) && (wf?.status === 'running' || wf?.status === 'not_started'))
    out.transferable = steps.filter(
      (st) => (st.status === 'pending' || st.status === 'active') &&
        (clerk || actors.some((a) => a.role === st.role && a.department === st.department)));
  add('transfer_step', out.transferable.length > 0);
  add('start_special_procedure', ['accepted', 'in_progress'].includes(s) && stepApprover);
  add('end_special_procedure', s === 'special_procedure' && stepApprover);
  add('extend', ['accepted', 'in_progress', 'special_procedure'].includes(s) && caseApprover);
  add('decide', s === 'in_progress' && (wf?.status === 'approved' || wf?.status === 'rejected') && caseApprover);
  add('deliver', (s === 'decided_approved' || s === 'decided_rejected') && (clerk || caseApprover));
  add('close', (['delivered', 'refused', 'withdrawn'].includes(s) || (s === 'correction_required' && !accepted)) &&
    (clerk || caseApprover));
  const approved = s === 'decided_approved' ||
    ((s === 'delivered' || s === 'closed') && (c.timeline ?? []).some((e) => e.type === 'case.decided' && e.outcome === 'approve'));
  add('issue_licence', approved && caseApprover && item?.result?.type === 'licence' && !!item.result.licence_type);
  return out;
}

/** Working days an extension may still add: 10, or 15 when several departments handle the case (Art. 42). */
export function extensionRemaining(c: CaseView): number {
  const depts = new Set(allSteps(c).map((s) => s.department));
  const max = depts.size > 1 ? 15 : 10;
  return max - (c.extensions ?? []).reduce((a, b) => a + b, 0);
}

// ---- calls -------------------------------------------------------------------------------

/** One case action, guarded by the version the user saw (If-Match). */
export function act(no: string, version: number, body: Record<string, unknown>) {
  return api.post<{ case_no: string; status: string; version: number; events: string[] }>(
    '/api/v1/cases/{no}/actions', { path: { no }, headers: { 'If-Match': `"${version}"` }, body });
}

const itemCache = new Map<string, Promise<ItemDetail>>();
export function loadItem(code: string): Promise<ItemDetail> {
  let p = itemCache.get(code);
  if (!p) {
    p = api.get<ItemDetail>('/api/v1/items/{code}', { path: { code } });
    p.catch(() => itemCache.delete(code));
    itemCache.set(code, p);
  }
  return p;
}

/** True below 768 px: lists turn into cards. */
export function useNarrow() {
  const query = window.matchMedia('(max-width: 768px)');
  const narrow = ref(query.matches);
  const onChange = (e: MediaQueryListEvent) => (narrow.value = e.matches);
  query.addEventListener('change', onChange);
  onBeforeUnmount(() => query.removeEventListener('change', onChange));
  return narrow;
}
