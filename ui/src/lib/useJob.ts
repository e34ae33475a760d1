// Long work in the core that the clerk follows and may cancel (imports, batch print): the command
// runs under a job id made here; while it runs, `job.progress` is polled for how far it is, and
// 取消 calls `job.cancel` — the core then stops at its next unit and keeps nothing of the work.
import { ref } from 'vue'
import { call } from '@/api/client'
import { newRequestId } from '@/lib/requestId'

/** How often running work is asked how far it is. */
export const PROGRESS_POLL_MS = 300

export function useJob() {
  /** Units done of all while the work runs (null: nothing running, or no answer yet). */
  const progress = ref<{ done: number; total: number } | null>(null)
  const cancelling = ref(false)
  let job = ''
  let running = false

  /** Run `work` (which sends `job` with its command) while following its progress. */
  async function run<T>(work: (job: string) => Promise<T>): Promise<T> {
    job = newRequestId()
    running = true
    cancelling.value = false
    const poll = setInterval(() => {
      call('job.progress', { job })
        .then((p) => {
          if (p.running && running) progress.value = { done: p.done, total: p.total }
        })
        .catch(() => {})
    }, PROGRESS_POLL_MS)
    try {
      return await work(job)
    } finally {
      clearInterval(poll)
      running = false
      progress.value = null
    }
  }

  /** 取消: the core stops at its next unit and keeps nothing. */
  async function cancel(): Promise<void> {
    cancelling.value = true
    await call('job.cancel', { job }).catch(() => {})
  }

  return { progress, cancelling, run, cancel }
}
