import { createApp } from 'vue'
// Element Plus components and their CSS are imported on demand by the template compiler
// (unplugin-vue-components, vite.config.ts); the locale comes from <el-config-provider> in App.vue.
// ElMessage is called from scripts (no template tag), so its stylesheet is imported here.
import 'element-plus/es/components/message/style/css'
import './styles.css'
import App from './App.vue'
import { createAppRouter } from './router'

createApp(App).use(createAppRouter()).mount('#app')
