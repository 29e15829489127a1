// Renderer entry: Pinia, the patch feed into the stores, the match-found alert, then the app.
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { watchMatchFound } from './alerts';
import { browserAlerts } from './browser-alerts';
import { startFeed } from './client';
import { runFeed } from './composables/feed-status';
import { loadSnapshot, routePatch } from './stores/feed';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
watchMatchFound(browserAlerts());
app.mount('#app');

// Shown by App.vue: "starting" until the first snapshot, or why it failed with a button to try again.
void runFeed(() => startFeed({ snapshot: loadSnapshot, patch: routePatch }));
