// Runs one intent from a component and keeps its pending flag and player-facing error; the component holds no other logic.
import { ref } from 'vue';
import type { IpcResult } from '../../src-main/contract';
import { intentErrorWords } from '../present';

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
    } finally {
      pending.value = false;
    }
  }
  return { pending, error, run };
}
