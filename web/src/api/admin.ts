// Shared types, Chinese labels and helpers for the admin console (管理后台).
import { api, ApiError } from './client';

// ---- catalogue items (docs/catalog-format.md) ------------------------------------------------

export interface LegalBasis { name: string; article?: string | null; text?: string | null }
export interface Material {
  name: string;
  form: 'original' | 'copy' | 'electronic' | string;
  copies: number | null;
  required: boolean;
  condition: string | null;
  licence_type: string | null;
  blank_form: string | null;
  sample: string | null;
  note: string | null;
  [k: string]: unknown;
}
export interface FormField {
  name: string;
  label: string;
  type: string;
  required: boolean;
  max_length?: number | null;
  min?: number | null;
  max?: number | null;
  options?: string[];
  [k: string]: unknown;
}
export interface Step {
  key: string;
  name: string;
  role: string;
  department: string;
  limit_days: number | null;
  [k: string]: unknown;
}
export interface ParallelGroup { parallel: Step[] }
export type WorkflowEntry = Step | ParallelGroup;
export interface Fee { name: string; amount_fen: number | null; basis: string }
export interface Location { name: string; address: string; hours: string }
export interface SpecialProcedure { name: string; max_days: number | null }
export interface SubItem { code: string; name: string }
export interface ItemResult { type: string; name?: string | null; licence_type?: string | null }

/** One item version's data, as PUT /api/v1/admin/items/{code} takes it (after normalizeItem: every
 *  list present). Unknown fields are kept as they are. */
export interface ItemData {
  basic_code: string;
  name: string;
  aliases: string[];
  type: number;
  power_source?: string;
  legal_basis: LegalBasis[];
  service_objects: string[];
  department: string;
  division_code: string;
  level: string;
  conditions: string[];
  materials: Material[];
  statutory_limit_days: number | null;
  promised_limit_days: number | null;
  limit_note?: string;
  kind?: string;
  handling_forms: string[];
  visits?: number | null;
  online_depth?: number | null;
  special_procedures: SpecialProcedure[];
  fees: Fee[];
  locations: Location[];
  consultation?: string;
  complaint?: string;
  result: ItemResult;
  delivery: string[];
  negative_list?: boolean;
  negative_reason?: string | null;
  required_real_name_level?: number | null;
  themes: string[];
  sub_items: SubItem[];
  form: { fields: FormField[] };
  workflow: { steps: WorkflowEntry[] };
  [k: string]: unknown;
}

const LIST_KEYS = ['aliases', 'legal_basis', 'service_objects', 'conditions', 'materials', 'handling_forms',
  'special_procedures', 'fees', 'locations', 'delivery', 'themes', 'sub_items'] as const;

/** A deep copy with every list and nested object the editor binds to present. */
export function normalizeItem(raw: unknown): ItemData {
  const item = JSON.parse(JSON.stringify(raw ?? {})) as Record<string, unknown>;
  for (const k of LIST_KEYS) if (!Array.isArray(item[k])) item[k] = [];
  const obj = (k: string) => (item[k] && typeof item[k] === 'object' && !Array.isArray(item[k]) ? item[k] as Record<string, unknown> : null);
  if (!obj('result')) item.result = { type: 'none', name: '', licence_type: null };
  const form = obj('form') ?? (item.form = {}) as Record<string, unknown>;
  if (!Array.isArray(form.fields)) form.fields = [];
  const workflow = obj('workflow') ?? (item.workflow = {}) as Record<string, unknown>;
  if (!Array.isArray(workflow.steps)) workflow.steps = [];
  if (item.statutory_limit_days === undefined) item.statutory_limit_days = null;
  if (item.promised_limit_days === undefined) item.promised_limit_days = null;
  return item as ItemData;
}

export function isParallel(e: WorkflowEntry): e is ParallelGroup {
  return Array.isArray((e as ParallelGroup).parallel);
}

/** Serial steps add up; a parallel group counts its longest step (the server's rule). */
export function workflowDays(steps: WorkflowEntry[]): number {
  let total = 0;
  for (const s of steps)
    total += isParallel(s) ? Math.max(0, ...s.parallel.map((p) => p.limit_days ?? 0)) : s.limit_days ?? 0;
  return total;
}

export interface VersionRow {
  version: number;
  state: string;
  created_at: string;
  submitted_at: string | null;
  reviewed_at: string | null;
  review_comment: string | null;
  published_at: string | null;
}
export interface Versions { code: string; status: string; published_version: number | null; items: VersionRow[] }
export interface VersionData { version: number; state: string; data: ItemData }
export interface Diff { code: string; from: number; to: number; changes: Record<string, { from: unknown; to: unknown }> }

export interface SearchHit {
  code: string;
  basic_code: string;
  name: string;
  department: string;
  division_code: string;
  type: number;
  promised_limit_days: number | null;
  visits: number | null;
}
export interface SearchAnswer { items: SearchHit[]; total: number; total_exact: boolean; offset: number }

export interface Department {
  code: string;
  name: string;
  uscc: string;
  division_code: string;
  parent: string | null;
  phone?: string;
  address?: string;
  hours?: string;
}

export interface Problem { field: string; message: string }

export const ITEM_TYPES: Record<number, string> = {
  1: '行政许可', 2: '行政处罚', 3: '行政强制', 4: '行政征收', 5: '行政给付', 6: '行政检查',
  7: '行政确认', 8: '行政奖励', 9: '行政裁决', 10: '其他行政权力', 20: '公共服务',
};
export const VERSION_STATES: Record<string, string> = {
  draft: '草稿', submitted: '待审核', returned: '已退回', published: '已发布', superseded: '已被新版本取代',
};
export const ITEM_STATUS: Record<string, string> = { active: '在用', retired: '已取消' };
export { LEVELS } from './catalog';
export { MATERIAL_FORMS, DELIVERY_LABELS as DELIVERY } from './cases';
export const FIELD_TYPES: Record<string, string> = {
  text: '文本', number: '数字', date: '日期', select: '下拉选择', id_number: '身份证号',
  uscc: '统一社会信用代码', phone: '电话', division: '行政区划', boolean: '是/否',
};
export const STEP_ROLES: Record<string, string> = {
  window_clerk: '综合窗口', approver: '审批人员', department_admin: '部门管理员', supervisor: '监察人员',
};
export const HANDLING_FORMS: Record<string, string> = { window: '窗口办理', online: '网上办理', mail: '邮寄办理' };
export const SERVICE_OBJECTS: Record<string, string> = { natural_person: '自然人', legal_person: '法人' };
export const RESULT_TYPES: Record<string, string> = { licence: '证照', document: '批文/文书', none: '无' };
export const KINDS: Record<string, string> = { immediate: '即办件', promised: '承诺件' };
export const ONLINE_DEPTH: Record<number, string> = {
  1: '一级：办事指南', 2: '二级：表格下载', 3: '三级：网上预审', 4: '四级：全程网办',
};

export const ROLE_NAMES: Record<string, string> = {
  citizen: '个人', company_agent: '企业经办人', window_clerk: '综合窗口', approver: '审批人员',
  department_admin: '部门管理员', catalog_reviewer: '事项审核（编办）', supervisor: '监察人员',
  hall_manager: '大厅管理', hotline_operator: '12345 话务', auditor: '审计', platform_admin: '平台管理员',
};
export function roleName(role: string) {
  return ROLE_NAMES[role] ? `${ROLE_NAMES[role]}（${role}）` : role;
}

// ---- field paths of problems and diffs, in words ---------------------------------------------

const FIELD_NAMES: Record<string, string> = {
  basic_code: '基本编码', name: '事项名称', aliases: '别名（俗称）', type: '事项类型', power_source: '权力来源',
  legal_basis: '设定依据', service_objects: '服务对象', department: '实施部门', division_code: '区划',
  level: '行使层级', conditions: '受理条件', materials: '申请材料', statutory_limit_days: '法定办结时限',
  promised_limit_days: '承诺办结时限', limit_note: '时限说明', kind: '办件类型', handling_forms: '办理形式',
  visits: '到办事现场次数', online_depth: '网办深度', special_procedures: '特别程序', fees: '收费',
  locations: '办理地点', consultation: '咨询方式', complaint: '监督投诉方式', result: '办理结果',
  delivery: '送达方式', negative_list: '负面清单', negative_reason: '负面清单原因',
  required_real_name_level: '实名等级', themes: '主题', sub_items: '子项', form: '申请表单', workflow: '办理流程',
};
// Inside a list entry the same key may mean something else (materials[0].form is the material's form).
const NESTED_NAMES: Record<string, string> = {
  name: '名称', type: '类型', form: '形式', department: '部门', code: '编码', result: '结果',
  article: '条款', text: '内容', copies: '份数', required: '必填/必需', condition: '情形说明',
  licence_type: '电子证照类型', blank_form: '空白表格', sample: '示例样表', note: '备注', label: '标签',
  max_length: '最大长度', min: '最小值', max: '最大值', options: '选项', fields: '字段', steps: '环节',
  parallel: '并联环节', key: '标识', role: '角色', limit_days: '时限（工作日）', amount_fen: '金额',
  basis: '依据', address: '地址', hours: '办公时间', max_days: '最长天数',
};
const LIST_NAMES: Record<string, string> = {
  legal_basis: '设定依据', service_objects: '服务对象', conditions: '受理条件', materials: '申请材料',
  special_procedures: '特别程序', fees: '收费', locations: '办理地点', themes: '主题', sub_items: '子项',
  fields: '表单字段', steps: '环节', parallel: '并联环节', handling_forms: '办理形式', delivery: '送达方式',
  aliases: '别名', options: '选项',
};

/** "materials[2].condition" → "申请材料第 3 项 · 情形说明". */
export function fieldLabel(path: string): string {
  if (!path) return '事项';
  const parts: string[] = [];
  for (const seg of path.split('.')) {
    const m = /^([a-z_]+)((?:\[\d+\])*)$/.exec(seg);
    if (!m) {
      parts.push(seg);
      continue;
    }
    const [, key, idx] = m;
    const indices = [...idx.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]) + 1);
    const names = parts.length ? { ...FIELD_NAMES, ...NESTED_NAMES } : FIELD_NAMES;
    if (indices.length) parts.push(`${LIST_NAMES[key] ?? names[key] ?? key}第 ${indices.join('-')} 项`);
    else parts.push(names[key] ?? key);
  }
  return parts.join(' · ');
}

/** A value for people: null → （无）, lists one entry a line, records as "标签：值；…". */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return '（无）';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'string') return v === '' ? '（空）' : v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) {
    if (!v.length) return '（空列表）';
    if (v.every((x) => typeof x !== 'object' || x === null)) return v.map(showValue).join('、');
    return v.map((x, i) => `${i + 1}. ${showValue(x)}`).join('\n');
  }
  return Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== null && x !== '' && x !== undefined)
    .map(([k, x]) => `${NESTED_NAMES[k] ?? FIELD_NAMES[k] ?? k}：${showValue(x)}`)
    .join('；');
}

/** The problems an error carries: details.problems / missing / items[].problems, else the message. */
export function problemsOf(e: unknown): Problem[] {
  if (!(e instanceof ApiError)) return [{ field: '', message: String(e) }];
  const d = e.details as Record<string, unknown>;
  const out: Problem[] = [];
  const take = (list: unknown, prefix = '') => {
    if (!Array.isArray(list)) return;
    for (const p of list as Record<string, unknown>[]) {
      const field = typeof p.field === 'string' ? p.field : '';
      const message = typeof p.message === 'string' ? p.message : typeof p.problem === 'string' ? `${p.problem}` : '';
      out.push({ field: prefix + field, message });
    }
  };
  take(d.problems);
  take(d.missing);
  return out;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

// ---- departments: code ↔ name (staff accounts and roles carry names) -------------------------

let departmentsPromise: Promise<Department[]> | null = null;
export function loadDepartments(): Promise<Department[]> {
  if (!departmentsPromise)
    departmentsPromise = api
      .get<{ items: Department[] }>('/api/v1/departments')
      .then((r) => r.items)
      .catch((e) => {
        departmentsPromise = null;
        throw e;
      });
  return departmentsPromise;
}

// ---- files -----------------------------------------------------------------------------------

export function downloadBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function readJsonFile(file: File): Promise<unknown> {
  return file.text().then((text) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new Error(`文件不是有效的 JSON：${(e as Error).message}`, { cause: e });
    }
  });
}

/** "2026-02-12T09:00:00.000+08:00" → "2026-02-12 09:00". */
export function shortTime(s: string | null | undefined): string {
  if (!s) return '—';
  return s.replace('T', ' ').slice(0, 16);
}

export function move<T>(list: T[], i: number, delta: number) {
  const j = i + delta;
  if (j < 0 || j >= list.length) return;
  const [x] = list.splice(i, 1);
  list.splice(j, 0, x);
}
