import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'

// Pages are loaded when first visited (each its own chunk): the app starts with the shell only, and
// a fresh install (first-run screen) never loads them. See ARCHITECTURE "Desktop memory".
const InstitutionsPage = () => import('@/pages/InstitutionsPage.vue')
const DashboardPage = () => import('@/pages/DashboardPage.vue')
const CasesPage = () => import('@/pages/CasesPage.vue')
const CaseDetailPage = () => import('@/pages/CaseDetailPage.vue')
const SelfCorrectionsPage = () => import('@/pages/SelfCorrectionsPage.vue')
const DocumentSettingsPage = () => import('@/pages/DocumentSettingsPage.vue')
const CaseNewPage = () => import('@/pages/CaseNewPage.vue')
const LeadsPage = () => import('@/pages/LeadsPage.vue')
const InsuredPage = () => import('@/pages/InsuredPage.vue')
const SettingsLayout = () => import('@/pages/SettingsLayout.vue')
const UsersPage = () => import('@/pages/UsersPage.vue')
const ProfilePage = () => import('@/pages/ProfilePage.vue')
const CalendarPage = () => import('@/pages/CalendarPage.vue')
const BackupPage = () => import('@/pages/BackupPage.vue')
const ReportsLayout = () => import('@/pages/ReportsLayout.vue')
const MonthlyReportPage = () => import('@/pages/MonthlyReportPage.vue')
const SheetReportPage = () => import('@/pages/SheetReportPage.vue')
const DrawsPage = () => import('@/pages/DrawsPage.vue')
const ReportChartsPage = () => import('@/pages/ReportChartsPage.vue')
const InspectionsPage = () => import('@/pages/InspectionsPage.vue')
const AccountabilityPage = () => import('@/pages/AccountabilityPage.vue')
const CampaignPage = () => import('@/pages/CampaignPage.vue')
const ExchangePage = () => import('@/pages/ExchangePage.vue')

/** Menu entries of the shell, in order. `key` feeds `data-testid="nav-<key>"`. */
export const menu = [
  { key: 'dashboard', path: '/dashboard', title: '工作台', icon: 'Odometer' },
  { key: 'leads', path: '/leads', title: '线索', icon: 'Bell' },
  { key: 'cases', path: '/cases', title: '案件', icon: 'Folder' },
  { key: 'self-corrections', path: '/self-corrections', title: '自查自纠', icon: 'DocumentChecked' },
  { key: 'institutions', path: '/institutions', title: '定点医药机构', icon: 'OfficeBuilding' },
  { key: 'insured', path: '/insured', title: '参保人员', icon: 'User' },
  { key: 'reports', path: '/reports', title: '统计报表', icon: 'DataAnalysis' },
  { key: 'exchange', path: '/exchange', title: '数据交换', icon: 'Switch' },
  { key: 'settings', path: '/settings', title: '设置', icon: 'Setting' },
] as const

export type MenuIcon = (typeof menu)[number]['icon']

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/dashboard' },
  { path: '/dashboard', component: DashboardPage, meta: { title: '工作台' } },
  { path: '/cases', component: CasesPage, meta: { title: '案件' } },
  { path: '/leads', component: LeadsPage, meta: { title: '线索' } },
  { path: '/cases/new', component: CaseNewPage, meta: { title: '新建案件' } },
  { path: '/cases/:id(\\d+)', component: CaseDetailPage, meta: { title: '案件详情' } },
  { path: '/self-corrections', component: SelfCorrectionsPage, meta: { title: '自查自纠' } },
  { path: '/institutions', component: InstitutionsPage, meta: { title: '定点医药机构' } },
  { path: '/insured', component: InsuredPage, meta: { title: '参保人员' } },
  {
    path: '/reports',
    component: ReportsLayout,
    children: [
      { path: '', redirect: '/reports/monthly' },
      { path: 'monthly', component: MonthlyReportPage, meta: { title: '统计报表' } },
      { path: 'charts', component: ReportChartsPage, meta: { title: '图表' } },
      {
        path: 'ledger',
        component: SheetReportPage,
        props: { kinds: ['RecoveryLedger', 'RecoveryByInstitution'], period: 'range', testId: 'sheet-ledger' },
        meta: { title: '追回台账' },
      },
      {
        path: 'enforcement',
        component: SheetReportPage,
        props: { kinds: ['Enforcement'], period: 'year', testId: 'sheet-enforcement' },
        meta: { title: '执法处理情况' },
      },
      {
        path: 'reconcile',
        component: SheetReportPage,
        props: { kinds: ['Reconciliation'], period: 'month', testId: 'sheet-reconcile' },
        meta: { title: '月度对账' },
      },
      {
        path: 'funds',
        component: SheetReportPage,
        props: { kinds: ['FundsToFinance', 'FundsToBureau'], period: 'range', testId: 'sheet-funds' },
        meta: { title: '追回资金报送' },
      },
      { path: 'inspections', component: InspectionsPage, meta: { title: '检查记录' } },
      { path: 'draws', component: DrawsPage, meta: { title: '双随机抽查' } },
      { path: 'accountability', component: AccountabilityPage, meta: { title: '追责情况' } },
      { path: 'campaign', component: CampaignPage, meta: { title: '专项整治' } },
    ],
  },
  { path: '/exchange', component: ExchangePage, meta: { title: '数据交换' } },
  {
    path: '/settings',
    component: SettingsLayout,
    children: [
      { path: '', redirect: '/settings/documents' },
      { path: 'documents', component: DocumentSettingsPage, meta: { title: '文书设置' } },
      { path: 'users', component: UsersPage, meta: { title: '用户与角色' } },
      { path: 'profile', component: ProfilePage, meta: { title: '规则配置' } },
      { path: 'calendar', component: CalendarPage, meta: { title: '工作日历' } },
      { path: 'backup', component: BackupPage, meta: { title: '备份与恢复' } },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/dashboard' },
]

export function createAppRouter() {
  return createRouter({ history: createWebHashHistory(), routes })
}
