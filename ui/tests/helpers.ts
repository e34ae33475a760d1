import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import type { Plugin } from 'vue'

export const globalPlugins: [Plugin, ...unknown[]][] = [[ElementPlus, { locale: zhCn }]]

/**
 * Let pending promises and Vue's render queue settle. Element Plus shows form errors after a
 * ~100 ms debounce, hence the final wait.
 */
export async function settle(rounds = 5, finalMs = 150): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0))
  await new Promise<void>((resolve) => setTimeout(resolve, finalMs))
}

/** Render Element Plus transitions for real so that error messages inside them appear. */
export const realTransitions = { transition: false, 'transition-group': false }
