// The public catalogue as the portal reads it: item search, service guides (办事指南),
// departments (旗舰店), scenarios (一件事), themes, and the public figures. The server's
// OpenAPI documents give no response schemas for these, so the shapes below are the ones the
// server answers today (src/catalog/service.cpp, docs/catalog-format.md).
import { api } from './client';

export type ServiceObject = 'natural_person' | 'legal_person';

export interface ItemHit {
  code: string;
  basic_code: string;
  name: string;
  department: string; // department code
  division_code: string;
  promised_limit_days: number;
  type: number;
  visits: number;
  score: number;
}

export type Facets = Partial<Record<'department' | 'division' | 'theme' | 'type', Record<string, number>>>;

export interface SearchAnswer {
  items: ItemHit[];
  total: number;
  total_exact: boolean;
  offset: number;
  suggestion: string | null;
  facets: Facets;
}

export interface SearchParams {
  q?: string;
  division?: string;
  department?: string;
  type?: number;
  theme?: string;
  object?: string;
  online?: boolean;
  offset?: number;
  limit?: number;
  facets?: boolean;
}

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

export interface DepartmentPage extends Department {
  items: { code: string; name: string; promised_limit_days: number; type: number }[];
}

export interface Material {
  name: string;
  form: 'original' | 'copy' | 'electronic' | string;
  copies: number;
  required: boolean;
  condition: string | null;
  licence_type: string | null;
  blank_form: string | null;
  sample: string | null;
  note: string;
  for_items?: string[]; // scenarios: the items that ask for it
}

export interface FormField {
  name: string;
  label: string;
  type: string;
  required?: boolean;
  options?: string[];
  min?: number;
  max?: number;
  max_length?: number;
  for_items?: string[];
}

export interface WorkflowStep {
  key: string;
  name: string;
  role: string;
  department: string;
  limit_days: number;
}
export type WorkflowEntry = WorkflowStep | { parallel: WorkflowStep[] };

export interface Guide {
  code: string;
  basic_code: string;
  name: string;
  aliases: string[];
  type: number;
  type_name: string;
  power_source: string;
  legal_basis: { name: string; article?: string; text?: string }[];
  service_objects: ServiceObject[];
  department: Department;
  division: { code: string; name: string } | null;
  division_code: string;
  level: 'city' | 'county' | 'township' | string;
  conditions: string[];
  materials: Material[];
  statutory_limit_days: number;
  promised_limit_days: number;
  limit_note: string;
  kind: 'promised' | 'immediate' | string;
  handling_forms: string[];
  visits: number;
  online: boolean;
  online_depth: number;
  special_procedures: { name: string; max_days: number }[];
  fees: { name: string; amount_fen: number; basis?: string }[];
  locations: { name: string; address: string; hours?: string }[];
  consultation: string;
  complaint: string;
  result: { type: 'licence' | 'document' | 'none' | string; name?: string; licence_type?: string | null };
  delivery: string[];
  negative_list: boolean;
  negative_reason: string | null;
  required_real_name_level: number;
  themes: string[];
  sub_items: { code: string; name: string }[];
  form: { fields: FormField[] };
  workflow: { steps: WorkflowEntry[] };
  status: 'active' | 'retired' | string;
  version: number;
  published_at: string;
}

export interface ScenarioSummary {
  code: string;
  name: string;
  summary: string;
  object: ServiceObject;
  themes: string[];
  item_count: number;
}

export interface Scenario {
  code: string;
  name: string;
  summary: string;
  object: ServiceObject;
  themes: string[];
  items: { code: string; name: string; department: string }[];
  materials: Material[];
  form: { fields: FormField[] };
}

export type Themes = Record<ServiceObject, string[]>;

// ---- calls -------------------------------------------------------------------------------

export const searchItems = (q: SearchParams) => api.get<SearchAnswer>('/api/v1/items', { query: q });
export const getGuide = (code: string) => api.get<Guide>('/api/v1/items/{code}', { path: { code } });
export const getDepartment = (code: string) =>
  api.get<DepartmentPage>('/api/v1/departments/{code}', { path: { code } });
export const getScenario = (code: string) => api.get<Scenario>('/api/v1/scenarios/{code}', { path: { code } });
export const listScenarios = () => api.get<{ items: ScenarioSummary[] }>('/api/v1/scenarios').then((r) => r.items);
export const getThemes = () => api.get<Themes>('/api/v1/themes');

// Departments and county names change rarely: one request per page load, shared by every page.
let departmentsOnce: Promise<Map<string, Department>> | null = null;
export function loadDepartments(): Promise<Map<string, Department>> {
  departmentsOnce ??= api
    .get<{ items: Department[] }>('/api/v1/departments')
    .then((r) => new Map(r.items.map((d) => [d.code, d])))
    .catch((e) => {
      departmentsOnce = null; // let the next page try again
      throw e;
    });
  return departmentsOnce;
}

let divisionsOnce: Promise<Map<string, string>> | null = null;
/** Names of 六安市 and its counties (the division facet counts at county level). */
export function loadDivisionNames(): Promise<Map<string, string>> {
  divisionsOnce ??= Promise.all([
    api.get<{ code: string; name: string }>('/api/v1/divisions/{code}', { path: { code: '341500' } }),
    api.get<{ items: { code: string; name: string }[] }>('/api/v1/divisions', { query: { parent: '341500', limit: 100 } }),
  ])
    .then(([city, counties]) => new Map([[city.code, city.name], ...counties.items.map((d) => [d.code, d.name] as [string, string])]))
    .catch((e) => {
      divisionsOnce = null;
      throw e;
    });
  return divisionsOnce;
}

// ---- words for codes ------------------------------------------------------------------------

export const ITEM_TYPES: Record<number, string> = {
  1: '行政许可', 2: '行政处罚', 3: '行政强制', 4: '行政征收', 5: '行政给付', 6: '行政检查',
  7: '行政确认', 8: '行政奖励', 9: '行政裁决', 10: '其他行政权力', 20: '公共服务',
};
export const typeName = (t: number) => ITEM_TYPES[t] ?? `类型 ${t}`;

export const OBJECTS: Record<string, string> = { natural_person: '个人', legal_person: '法人' };
export const OBJECT_LONG: Record<string, string> = { natural_person: '自然人（个人办事）', legal_person: '法人（企业和组织办事）' };

export const LEVELS: Record<string, string> = { city: '市级', county: '县（区）级', township: '乡镇（街道）级' };
export const KINDS: Record<string, string> = { promised: '承诺件', immediate: '即办件' };
export const HANDLING_FORMS: Record<string, string> = { window: '窗口办理', online: '网上办理', mail: '快递申请' };
export const DELIVERY: Record<string, string> = { window: '窗口领取', mail: '邮寄送达', electronic: '电子送达（电子证照）' };
export { MATERIAL_FORMS } from './cases';
export const RESULT_TYPES: Record<string, string> = { licence: '证照', document: '批文（文书）', none: '无办理结果文书' };
export const ONLINE_DEPTH: Record<number, string> = {
  1: '一级：网上提供办事指南',
  2: '二级：网上下载表格、预约',
  3: '三级：网上预审、窗口核验',
  4: '四级：全程网办',
};
export const ROLES: Record<string, string> = { window_clerk: '综合窗口', approver: '审批人员' };
export const REAL_NAME_LEVELS: Record<number, string> = {
  1: '一级（注册账号）',
  2: '二级（实名核验）',
  3: '三级（人脸识别）',
};

export function visitsText(v: number): string {
  if (v === 0) return '零跑腿（0 次）';
  if (v === 1) return '最多跑一次（1 次）';
  return `${v} 次`;
}

export function daysText(days: number): string {
  return days === 0 ? '即办（当场办结）' : `${days} 个工作日`;
}

export function yuan(fen: number): string {
  return `${(fen / 100).toFixed(2)} 元`;
}

export function percent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return `${(rate * 100).toFixed(digits)}%`;
}

/** Whether an item can be applied for online, and if not, why (words for people). */
export function onlineStatus(g: Pick<Guide, 'online' | 'negative_list' | 'negative_reason' | 'handling_forms' | 'status'>): {
  ok: boolean;
  reason: string;
} {
  if (g.status && g.status !== 'active') return { ok: false, reason: '该事项已取消，不再受理申请，办事指南仅供查阅。' };
  if (g.negative_list) return { ok: false, reason: g.negative_reason || '该事项列入网上办理负面清单，请到窗口办理。' };
  if (!g.online || !g.handling_forms.includes('online')) return { ok: false, reason: '该事项暂不支持网上申请，请到窗口办理。' };
  return { ok: true, reason: '' };
}

export function isParallel(e: WorkflowEntry): e is { parallel: WorkflowStep[] } {
  return 'parallel' in e;
}

/** Runs `fn` over `list` with at most `limit` calls at once (public pages should not flood the server). */
export async function mapLimit<T, R>(list: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      out[i] = await fn(list[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
  return out;
}
