// Shapes of the supervision, statistics and evaluation answers the dashboard reads, and the
// small lookups (department and division names) it shares. The server's OpenAPI document
// does not describe these bodies, so they are written here from src/supervision,
// src/statistics and src/evaluation.
import { reactive } from 'vue';
import type { Evaluation } from './cases';
import { api } from './client';

// Shapes and lookups shared with the portal and the workbench live in ./cases and ./labels.
export type { Department, Evaluation, SupervisionOrder as Order } from './cases';
export { departmentName, loadDepartments, formatInstant as shortTime } from './labels';

export type WatchState = 'normal' | 'warning' | 'overdue' | 'paused';

export const WATCH_STATES: { key: WatchState; label: string; colour: string }[] = [
  { key: 'normal', label: '正常', colour: '#1b6e2d' },
  { key: 'warning', label: '预警', colour: '#d48806' },
  { key: 'overdue', label: '超期', colour: '#b3261e' },
  { key: 'paused', label: '暂停计时', colour: '#6b7280' },
];
export const WATCH_LABEL: Record<string, string> = Object.fromEntries(WATCH_STATES.map((s) => [s.key, s.label]));

export interface Counts {
  normal: number;
  warning: number;
  overdue: number;
  paused: number;
}
export type BoardGroup = Counts & { department?: string; division?: string };
export interface Board {
  today: string;
  group: 'department' | 'division';
  total: Counts;
  groups: BoardGroup[];
}

export interface SupervisedCase {
  case_no: string;
  item_name: string;
  department: string;
  division: string;
  accepted_on: string;
  deadline: string;
  limit_days: number;
  state: WatchState;
  days_left?: number;
}
export interface SupervisedCases {
  today: string;
  items: SupervisedCase[];
}

export interface Rules {
  warn_days_left: number;
  warn_used_percent: number;
  applies_to?: string;
}

export const ORDER_STATE_LABEL: Record<string, string> = { open: '待回复', replied: '已回复待办结', closed: '已办结' };

/** One of the city's "13550" promises (公共服务事项 1 day, 企业开办 3, 不动产登记 5, 工业项目施工许可 50 working days)
 *  and how the matters finished in the period kept it. */
export interface PromiseFigures {
  key: string;
  name: string;
  promised_workdays: number;
  finished: number;
  within_promise: number;
  within_promise_rate: number;
  average_workdays: number;
  longest_workdays: number;
}

export interface Indicators {
  period: { from: string | null; to: string | null };
  department: string | null;
  division: string | null;
  items: {
    total: number;
    online: number;
    online_rate: number;
    full_online: number;
    full_online_rate: number;
    at_most_one_visit: number;
    at_most_one_visit_rate: number;
    zero_visit: number;
    zero_visit_rate: number;
  };
  cases: {
    submitted: number;
    by_channel: Record<string, number>;
    accepted: number;
    corrections: number;
    correction_rate: number;
    refused: number;
    withdrawn: number;
    decided: number;
    decided_on_time: number;
    decided_late: number;
    on_time_rate: number;
    average_workdays_used: number;
    average_workdays_promised: number;
  };
  /** The reviews first given in the period. */
  evaluations: EvaluationSummary;
  /** Only in the city-wide answer (no department, no division). */
  promises_13550?: PromiseFigures[];
}

/** A row of GET /api/v1/statistics/departments. */
export type DepartmentIndicators = Indicators & { department: string; department_name: string };
/** A row of GET /api/v1/statistics/divisions: a county/district, or the parent's own departments (本级). */
export type DivisionIndicators = Indicators & { division: string; division_name: string };

export interface EvaluationSummary {
  total: number;
  levels: Record<string, number>;
  satisfaction_rate: number;
  bad: number;
  bad_rate: number;
  rectification_rate: number;
  real_name_bad: number;
  real_name_callback_rate: number;
}

/** A row of GET /api/v1/evaluations/summary/departments. */
export type DepartmentEvaluationSummary = EvaluationSummary & { department: string };

export interface Appeal {
  appeal_id: number;
  reason: string;
  created_at: string;
  evaluation: Evaluation | null;
}

export const CHANNEL_LABEL: Record<string, string> = {
  online: '网上申报', web: '网站', app: '移动端', pad: '政务平板', sms: '短信', hotline: '12345 热线',
  window: '窗口', mail: '邮寄', self_service: '自助终端',
};

// Division names are looked up once per page load and shared by the dashboard pages.
const names = reactive({ divisions: {} as Record<string, string> });

export async function loadDivisionNames(codes: string[]) {
  await Promise.all(
    codes
      .filter((c) => c && !(c in names.divisions))
      .map(async (code) => {
        try {
          const d = await api.get<{ name: string }, '/api/v1/divisions/{code}'>('/api/v1/divisions/{code}', { path: { code } });
          names.divisions[code] = d.name;
        } catch {
          names.divisions[code] = code;  // shown as the code: still identifies the division
        }
      }),
  );
}

export function divisionName(code: string | null | undefined): string {
  if (!code) return '';
  return names.divisions[code] ?? code;
}

export async function loadSubdivisions(parent: string): Promise<{ code: string; name: string }[]> {
  const r = await api.get<{ items: { code: string; name: string }[] }, '/api/v1/divisions'>('/api/v1/divisions', { query: { parent } });
  for (const d of r.items) names.divisions[d.code] = d.name;
  return r.items;
}

export function percent(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return (x * 100).toFixed(digits) + '%';
}

/** Problems of a VALIDATION_FAILED answer, by field: "reply_days" → "须在 1-30 之间". */
export function fieldProblems(details: Record<string, unknown>, labels: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const problems = (details.problems as { field?: string; problem?: string; value?: string; message?: string }[] | undefined) ?? [];
  for (const p of problems) {
    if (!p.field) continue;
    const label = labels[p.field] ?? '';
    out[p.field] =
      p.message ??
      (p.problem === 'required' ? `请填写${label}` : p.problem === 'range' ? `${label}须在 ${p.value ?? ''} 之间` : `${label}有误`);
  }
  return out;
}
