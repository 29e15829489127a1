// Types the page sees from outside: `window.lobby` from the preload (or the browser test bridge), and .vue modules.
import type { LobbyBridge } from '../src-main/contract';

declare global {
  interface Window {
    readonly lobby: LobbyBridge;
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
