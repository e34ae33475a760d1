// The office that runs this installation, loaded once at start and shared by the shell.
import { ref } from 'vue'
import { ApiError, call } from '@/api/client'
import type { Office } from '@/api/types'
import { errorText } from '@/lib/messages'

export type OfficeState =
  | { status: 'loading' }
  | { status: 'error'; error: ApiError }
  | { status: 'uninitialised' }
  | { status: 'ready'; office: Office }

export const officeState = ref<OfficeState>({ status: 'loading' })

export async function loadOffice(): Promise<void> {
  officeState.value = { status: 'loading' }
  try {
    const office = await call('office.get', {})
    officeState.value = office ? { status: 'ready', office } : { status: 'uninitialised' }
  } catch (e) {
    officeState.value = { status: 'error', error: e instanceof ApiError ? e : new ApiError('INTERNAL', errorText(e)) }
  }
}

export function setOffice(office: Office): void {
  officeState.value = { status: 'ready', office }
}
