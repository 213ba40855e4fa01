// Every page of the web, by area. Pages load on demand, so the portal's first load
// carries neither the workbench nor ECharts.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { session, hasRole, sessionReady } from './api/session';

const portal: RouteRecordRaw[] = [
  { path: '', name: 'home', component: () => import('./portal/Home.vue'), meta: { title: '首页' } },
  { path: 'search', name: 'search', component: () => import('./portal/Search.vue'), meta: { title: '搜索事项' } },
  { path: 'departments/:code', name: 'department', component: () => import('./portal/Department.vue'), meta: { title: '部门旗舰店' } },
  { path: 'scenarios/:code', name: 'scenario', component: () => import('./portal/Scenario.vue'), meta: { title: '一件事' } },
  { path: 'items/:code', name: 'guide', component: () => import('./portal/Guide.vue'), meta: { title: '办事指南' } },
  { path: 'apply/:code', name: 'apply', component: () => import('./portal/Apply.vue'), meta: { title: '在线申报', login: true } },
  { path: 'login', name: 'login', component: () => import('./portal/Login.vue'), meta: { title: '登录' } },
  { path: 'register', name: 'register', component: () => import('./portal/Register.vue'), meta: { title: '注册' } },
  { path: 'progress', name: 'progress', component: () => import('./portal/Progress.vue'), meta: { title: '办件进度查询' } },
  { path: 'verify/:id', name: 'verify', component: () => import('./portal/Verify.vue'), meta: { title: '电子证照核验' } },
  { path: 'stats', name: 'stats', component: () => import('./portal/Stats.vue'), meta: { title: '政务服务数据公开' } },
  { path: 'rate/:token', name: 'rate', component: () => import('./portal/Rate.vue'), meta: { title: '服务评价' } },
  { path: 'me', name: 'me', component: () => import('./portal/me/MySpace.vue'), meta: { title: '我的', login: true } },
  { path: 'me/cases/:no', name: 'my-case', component: () => import('./portal/me/MyCase.vue'), meta: { title: '我的办件', login: true } },
];

const workbench: RouteRecordRaw[] = [
  { path: '', name: 'todo', component: () => import('./workbench/Todo.vue'), meta: { title: '待办' } },
  { path: 'cases/:no', name: 'case', component: () => import('./workbench/CaseDetail.vue'), meta: { title: '办件详情' } },
  { path: 'window', name: 'window', component: () => import('./workbench/Window.vue'), meta: { title: '综合窗口收件', roles: ['window_clerk'] } },
  { path: 'evaluations', name: 'rectifications', component: () => import('./workbench/Evaluations.vue'), meta: { title: '差评整改' } },
  { path: 'service-events', name: 'service-events', component: () => import('./workbench/ServiceEvent.vue'), meta: { title: '现场服务评价', roles: ['window_clerk'] } },
  { path: 'hotline-rating', name: 'hotline-rating', component: () => import('./workbench/HotlineRating.vue'), meta: { title: '热线代录评价', roles: ['hotline_operator'] } },
  { path: 'orders', name: 'my-orders', component: () => import('./workbench/Orders.vue'), meta: { title: '督办回复' } },
];

const admin: RouteRecordRaw[] = [
  { path: '', redirect: { name: 'admin-items' } },
  { path: 'items', name: 'admin-items', component: () => import('./admin/Items.vue'), meta: { title: '事项管理' } },
  { path: 'items/:code', name: 'admin-item', component: () => import('./admin/ItemEditor.vue'), meta: { title: '编辑事项' } },
  { path: 'departments', name: 'admin-departments', component: () => import('./admin/Departments.vue'), meta: { title: '部门与区划' } },
  { path: 'staff', name: 'admin-staff', component: () => import('./admin/Staff.vue'), meta: { title: '人员与角色' } },
  { path: 'calendar', name: 'admin-calendar', component: () => import('./admin/Calendar.vue'), meta: { title: '工作日历' } },
  { path: 'seals', name: 'admin-seals', component: () => import('./admin/Seals.vue'), meta: { title: '电子印章' } },
  { path: 'oidc', name: 'admin-oidc', component: () => import('./admin/Oidc.vue'), meta: { title: '单点登录接入' } },
  { path: 'audit', name: 'admin-audit', component: () => import('./admin/Audit.vue'), meta: { title: '审计日志' } },
];

const dashboard: RouteRecordRaw[] = [
  { path: '', name: 'board', component: () => import('./dashboard/Board.vue'), meta: { title: '电子监察' } },
  { path: 'indicators', name: 'indicators', component: () => import('./dashboard/Indicators.vue'), meta: { title: '绩效指标' } },
  { path: 'orders', name: 'orders', component: () => import('./dashboard/Orders.vue'), meta: { title: '督办' } },
  { path: 'appeals', name: 'appeals', component: () => import('./dashboard/Appeals.vue'), meta: { title: '差评申诉' } },
];

const staffOnly = { login: true, staff: true };
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: () => import('./components/PortalLayout.vue'), children: portal },
    { path: '/workbench', component: () => import('./components/StaffLayout.vue'), children: workbench, meta: staffOnly },
    { path: '/admin', component: () => import('./components/StaffLayout.vue'), children: admin, meta: staffOnly },
    { path: '/dashboard', component: () => import('./components/StaffLayout.vue'), children: dashboard, meta: staffOnly },
    { path: '/:rest(.*)*', name: 'not-found', component: () => import('./components/NotFound.vue'), meta: { title: '页面不存在' } },
  ],
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach(async (to) => {
  const roles = to.meta.roles as string[] | undefined;
  const needsAccount = to.matched.some((r) => r.meta.login) || !!roles;
  if (!needsAccount) return true;
  await sessionReady();
  if (!session.account)
    return { name: 'login', query: { next: to.fullPath } };
  if (roles && !hasRole(...roles)) return { name: 'not-found', params: { rest: to.path.slice(1).split('/') } };
  return true;
});

router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? ''} · 六安市政务服务网`;
});
