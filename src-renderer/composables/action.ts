// Runs one intent from a component and keeps its pending flag and player-facing error; the component holds no other logic.
import { ref } from 'vue';
import type { IpcResult } from '../../src-main/contract';
import { intentErrorWords } from '../present';

/** When the call itself fails (the bridge to main is gone, a handler threw past the IPC wrapper): no code to show, only this. */
export const NO_ANSWER_WORDS = 'The app did not answer. Try again; if it keeps happening, restart the app.';

export function useAction() {
  const pending = ref(false);
  const error = ref<string | null>(null);
  async function run<T>(call: () => Promise<IpcResult<T>>): Promise<T | undefined> {
    pending.value = true;
    error.value = null;
    try {
      const result = await call();
      if (result.ok) return result.value;
      error.value = intentErrorWords(result.code, result.reason, result.message);
      return undefined;
    } catch (failure) {
      // Shown, not thrown: a click handler's rejection would otherwise vanish into the console.
      console.error(failure);
      error.value = NO_ANSWER_WORDS;
      return undefined;
    } finally {
      pending.value = false;
    }
  }
  return { pending, error, run };
}
