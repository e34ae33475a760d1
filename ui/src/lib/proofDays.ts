// The sentence on payment forms about handing in the voucher: its number of working days is the
// office's rule (profile `payment_proof_days`, from its rule set), never written into the page.
import { onMounted, ref } from 'vue'
import { call } from '@/api/client'

/** Call from a component's `setup`: the sentence, or '' until the profile answered (or if it failed). */
export function useProofSentence() {
  const sentence = ref('')
  onMounted(async () => {
    try {
      const p = await call('profile.get', {})
      sentence.value = `缴款凭证应在缴款后${p.payment_proof_days}个工作日内交经办机构。`
    } catch {
      sentence.value = ''
    }
  })
  return sentence
}
