// Names for codes that every part of the site shows: departments (loaded once per page load
// from the public list and shared by the portal, the workbench and the dashboard) and the
// server's instants as people read them.
import { ref } from 'vue';
import { api } from './client';
import type { Department } from './catalog';

/** Every department of the public list, once loaded (empty until then: names fall back to codes). */
export const departments = ref<Department[]>([]);
let departmentsLoading: Promise<Department[]> | null = null;

/** Every department (public list), loaded once per page load. */
export function loadDepartments(): Promise<Department[]> {
  departmentsLoading ??= api
    .get<{ items: Department[] }>('/api/v1/departments')
    .then((r) => (departments.value = r.items))
    .catch((e) => {
      departmentsLoading = null;
      throw e;
    });
  return departmentsLoading;
}

/** Starts loading the names; until they come (or if they never do) codes stand in for them. */
export function ensureDepartments() {
  loadDepartments().catch(() => {
    /* names fall back to codes */
  });
}

export function departmentName(code?: string | null): string {
  if (!code) return '';
  return departments.value.find((d) => d.code === code)?.name ?? code;
}

/** "2026-02-12T09:00:00.000+08:00" → "2026-02-12 09:00" (Beijing time as the server writes it). */
export function formatInstant(s?: string | null): string {
  if (!s) return '';
  return s.replace('T', ' ').slice(0, 16);
}
