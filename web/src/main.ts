import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import 'element-plus/dist/index.css';
import './styles.css';
import App from './App.vue';
import { router } from './router';
import { loadSession } from './api/session';
import { applyElderMode } from './components/elder';

applyElderMode();
const app = createApp(App);
app.use(ElementPlus, { locale: zhCn });
app.use(router);
// Who is logged in is asked in parallel with the first page's code: public pages do not wait
// for it (the router's guard waits only where a page needs an account).
loadSession();
app.mount('#app');
