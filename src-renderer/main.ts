// Renderer entry: Pinia, the patch feed into the stores, the match-found alert, then the app.
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { watchMatchFound } from './alerts';
import { browserAlerts } from './browser-alerts';
import { startFeed } from './client';
import { loadSnapshot, routePatch } from './stores/feed';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
watchMatchFound(browserAlerts());
app.mount('#app');

startFeed({ snapshot: loadSnapshot, patch: routePatch }).catch((error: unknown) => {
  console.error(error);
});
