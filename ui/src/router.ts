import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import PlaceholderPage from '@/pages/PlaceholderPage.vue'
import InstitutionsPage from '@/pages/InstitutionsPage.vue'
import DashboardPage from '@/pages/DashboardPage.vue'
import CasesPage from '@/pages/CasesPage.vue'
import CaseDetailPage from '@/pages/CaseDetailPage.vue'
import CaseNewPage from '@/pages/CaseNewPage.vue'
import LeadsPage from '@/pages/LeadsPage.vue'
import SelfCorrectionsPage from '@/pages/SelfCorrectionsPage.vue'
import DocumentSettingsPage from '@/pages/DocumentSettingsPage.vue'

/** Menu entries of the shell, in order. `key` feeds `data-testid="nav-<key>"`. */
export const menu = [
  { key: 'dashboard', path: '/dashboard', title: '工作台', icon: 'Odometer' },
  { key: 'leads', path: '/leads', title: '线索', icon: 'Bell' },
  { key: 'cases', path: '/cases', title: '案件', icon: 'Folder' },
  { key: 'self-corrections', path: '/self-corrections', title: '自查自纠', icon: 'DocumentChecked' },
  { key: 'institutions', path: '/institutions', title: '定点医药机构', icon: 'OfficeBuilding' },
  { key: 'reports', path: '/reports', title: '统计报表', icon: 'DataAnalysis' },
  { key: 'exchange', path: '/exchange', title: '数据交换', icon: 'Switch' },
  { key: 'settings', path: '/settings', title: '设置', icon: 'Setting' },
] as const

export type MenuIcon = (typeof menu)[number]['icon']

const placeholder = (title: string, hint: string): RouteRecordRaw['props'] => ({ title, hint })

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/dashboard' },
  { path: '/dashboard', component: DashboardPage, meta: { title: '工作台' } },
  { path: '/cases', component: CasesPage, meta: { title: '案件' } },
  { path: '/leads', component: LeadsPage, meta: { title: '线索' } },
  { path: '/cases/new', component: CaseNewPage, meta: { title: '新建案件' } },
  { path: '/cases/:id(\\d+)', component: CaseDetailPage, meta: { title: '案件详情' } },
  { path: '/self-corrections', component: SelfCorrectionsPage, meta: { title: '自查自纠' } },
  { path: '/institutions', component: InstitutionsPage, meta: { title: '定点医药机构' } },
  {
    path: '/reports',
    component: PlaceholderPage,
    meta: { title: '统计报表' },
    props: placeholder('统计报表', '月度统计表、追回台账和对账报表将在这里生成与导出。'),
  },
  {
    path: '/exchange',
    component: PlaceholderPage,
    meta: { title: '数据交换' },
    props: placeholder('数据交换', '与上级医保部门交换数据包将在这里进行。'),
  },
  { path: '/settings', redirect: '/settings/documents' },
  { path: '/settings/documents', component: DocumentSettingsPage, meta: { title: '文书设置' } },
  { path: '/:pathMatch(.*)*', redirect: '/dashboard' },
]

export function createAppRouter() {
  return createRouter({ history: createWebHashHistory(), routes })
}
