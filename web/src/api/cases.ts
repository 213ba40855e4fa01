// A case as the server shows it (src/cases/views.cpp, src/cases/workflow.cpp, src/cases/limits.cpp),
// the item facts a case is made of (form fields, materials: GET /api/v1/items/{code}), what a
// case leads to (ratings: src/evaluation/service.cpp; supervision orders: src/supervision), and
// the Chinese labels of these facts. Shared by the applicant's pages, the workbench and the
// dashboard. Where applicants and staff are shown different words for the same code, both
// tables stand here side by side.

export type { Department } from './catalog';

// ---- the item's form and materials ---------------------------------------------------------

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

// ---- the case view (GET /api/v1/cases/{no}) ------------------------------------------------

export type LimitState = 'normal' | 'warning' | 'overdue';

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
  sm3?: string;
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
  role: string;
  department: string;
  limit_days: number;
  status: 'pending' | 'active' | 'approved' | 'rejected' | 'cancelled';
  started_on: string | null;
  finished_on: string | null;
  opinion: string;
  acted_by: number;
}

export interface Workflow {
  division: string;
  status: 'not_started' | 'running' | 'approved' | 'rejected' | 'cancelled';
  current: number;
  version: number;
  stages: { parallel: boolean; steps: WorkflowStep[] }[];
}

export interface CaseTask {
  step: string;
  name: string;
  role: string;
  department: string;
  deadline: string | null;
  claimed_by: number | null;
}

export interface Pause {
  kind: string;
  name: string;
  start: string;
  end: string | null;
}

export interface ClockStatus {
  deadline: string;
  limit_days: number;
  used_days: number;
  left_days: number;
  paused: boolean;
  finished: boolean;
  state: LimitState;
}

export interface CaseView extends CaseSummary {
  department: string;
  division: string;
  applicant: { name: string };
  form: FormData;
  scenario?: string;
  parent_case_no?: string;
  /** A scenario's (一件事) parent case: the cases of its items. */
  children?: CaseSummary[];
  materials?: CaseMaterial[];
  timeline?: TimelineEntry[];
  correction_notice?: { items: CorrectionItem[]; at: string; phase: 'pre_acceptance' | 'review' };
  tasks?: CaseTask[];
  workflow?: Workflow;
  pauses?: Pause[];
  extensions?: number[];
  limits?: { case: ClockStatus; steps: (ClockStatus & { step: string })[] };
  limits_error?: { code: string; message: string };
}

// ---- what a case leads to: ratings (好差评) and supervision orders ---------------------------

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
  /** Only in staff answers, and not for anonymous ratings. */
  rater_account_id?: number;
  call_back?: { at: string; note: string };
  rectify_deadline?: string;
  rectification?: { result: string; at: string | null };
  may_rate_again: boolean;
}

export interface SupervisionOrder {
  id: number;
  department: string;
  case_no: string | null;
  subject: string;
  content: string;
  reply_deadline: string;
  state: 'open' | 'replied' | 'closed';
  reply_overdue: boolean;
  issued_at: string;
  reply: string | null;
  closing_note: string | null;
}

// ---- labels: the same words for everyone ----------------------------------------------------

export const MATERIAL_FORMS: Record<string, string> = { original: '原件', copy: '复印件', electronic: '电子件' };

export const DELIVERY_MODES: { value: string; label: string }[] = [
  { value: 'window', label: '窗口领取' },
  { value: 'mail', label: '邮寄送达' },
  { value: 'electronic', label: '电子送达' },
];
export const DELIVERY_LABELS: Record<string, string> = Object.fromEntries(DELIVERY_MODES.map((m) => [m.value, m.label]));

export function deliveryLabel(mode?: string): string {
  return DELIVERY_MODES.find((m) => m.value === mode)?.label ?? mode ?? '';
}

export const PAUSE_KINDS: Record<string, string> = { special_procedure: '特别程序', correction: '补正' };

// ---- labels as the applicant's pages word them ----------------------------------------------

export const CHANNELS: Record<string, string> = { online: '网上申请', window: '窗口申请', terminal: '自助终端' };
export const LIMIT_STATES: Record<string, string> = { normal: '正常', warning: '即将到期', overdue: '已超期' };
export const STEP_STATUS: Record<string, string> = {
  pending: '未开始', active: '办理中', approved: '已同意', rejected: '不同意', cancelled: '已取消',
};
export const OUTCOMES: Record<string, string> = { approve: '同意', reject: '不同意', approved: '同意', rejected: '不同意' };
export const CLOSURES: Record<string, string> = {
  issued: '准予许可并发放结果', rejected: '不予许可', correction_not_supplied: '逾期未补正', withdrawn: '申请已撤回',
  refused: '不予受理', delivered: '已送达',
};

const APPLICANT_EVENT_LABELS: Record<string, string> = {
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
/** A timeline entry's name on the applicant's pages. */
export function eventLabel(type: string) {
  return APPLICANT_EVENT_LABELS[type] ?? '办理记录';
}

export const EVALUATION_STATES: Record<string, string> = {
  rated: '已评价',
  callback_due: '差评待回访',
  rectifying: '整改中',
  rectified: '已整改',
  removed: '经申诉核实已撤销',
};

// ---- labels as the workbench words them -----------------------------------------------------

export const CHANNEL_LABELS: Record<string, string> = {
  online: '网上申报',
  window: '窗口收件',
  terminal: '自助终端',
};

export const LIMIT_STATE_LABELS: Record<LimitState, string> = {
  normal: '正常',
  warning: '预警',
  overdue: '超期',
};

export function limitStateLabel(state?: string): string {
  return state ? (LIMIT_STATE_LABELS[state as LimitState] ?? state) : '';
}

export const STEP_STATUS_LABELS: Record<WorkflowStep['status'], string> = {
  pending: '未开始',
  active: '办理中',
  approved: '已通过',
  rejected: '未通过',
  cancelled: '已取消',
};

export const WORKFLOW_STATUS_LABELS: Record<Workflow['status'], string> = {
  not_started: '未开始',
  running: '办理中',
  approved: '各环节已通过',
  rejected: '有环节未通过',
  cancelled: '已终止',
};

export const EVENT_LABELS: Record<string, string> = {
  'case.submitted': '提交申请',
  'case.accepted': '受理',
  'case.correction_required': '补正告知',
  'case.resubmitted': '补正后重新提交',
  'case.refused': '不予受理',
  'case.withdrawn': '申请人撤回',
  'case.special_procedure_started': '启动特别程序',
  'case.special_procedure_ended': '结束特别程序',
  'case.extended': '延长办理期限',
  'case.step_completed': '办结环节',
  'case.step_returned': '退回环节',
  'case.step_transferred': '转交环节',
  'case.decided': '作出决定',
  'case.delivered': '送达',
  'case.closed': '办结',
  'step.activated': '环节开始办理',
  'step.completed': '环节办理完毕',
  'step.cancelled': '环节取消',
  'step.returned': '退回',
  'step.transferred': '转交',
  'workflow.joined': '并联环节全部办完',
  'workflow.finished': '办理流程结束',
  'exchange.resent': '重新推送省平台',
};

export const OUTCOME_LABELS: Record<string, string> = { approve: '同意', reject: '不同意' };

export const CLOSURE_LABELS: Record<string, string> = {
  issued: '准予并已送达',
  rejected: '不予许可并已送达',
  correction_not_supplied: '逾期未补正',
  refused: '不予受理',
  withdrawn: '申请人撤回',
};
