import { afterEach, describe, expect, it } from 'vitest'
import { roleRefusal, session } from '@/lib/session'
import { ACTION_COMMANDS } from '@/lib/workflow'
import { commandRoles } from '@/api/types.gen'

const clerk = {
  id: 2, uid: '220102-U2', username: 'zhang', display_name: '张三', roles: ['Handler' as const], active: true,
  must_change_password: false,
    cert_no: '',
    cert_expires: null, created_at: '', updated_at: '',
}

describe('roleRefusal', () => {
  afterEach(() => {
    session.user = null
  })

  it("says which role a command needs, from the core's table", () => {
    session.user = clerk
    expect(roleRefusal('finding.add')).toBe('')
    expect(roleRefusal('case.list')).toBe('') // any logged-in user
    expect(roleRefusal('case.decide')).toBe('需要“审批人”角色，张三没有该角色')
    expect(roleRefusal('payment.record')).toContain('“财务”')
    session.user = { ...clerk, roles: ['Handler', 'Approver'] }
    expect(roleRefusal('case.decide')).toBe('')
  })

  it('knows the command of every case action, each bound to a role in the core', () => {
    for (const command of Object.values(ACTION_COMMANDS)) expect(commandRoles[command], command).toBeDefined()
  })
})
