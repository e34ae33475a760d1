import { createApp } from 'vue'
// Element Plus components and their CSS are imported on demand by the template compiler
// (unplugin-vue-components, vite.config.ts); the locale comes from <el-config-provider> in App.vue.
// ElMessage is called from scripts (no template tag), so its stylesheet is imported here.
import 'element-plus/es/components/message/style/css'
// styles.css sets these components' own root classes (.list-search/.list-filter widths on el-input and
// el-select, .load-error's margin on el-alert): their CSS must come before it, as the whole library's
// did, not after it from a page's lazily loaded chunk.
import 'element-plus/es/components/alert/style/css'
import 'element-plus/es/components/input/style/css'
import 'element-plus/es/components/select/style/css'
import './styles.css'
import App from './App.vue'
import { createAppRouter } from './router'

createApp(App).use(createAppRouter()).mount('#app')
