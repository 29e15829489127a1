// A shared ticking "now" for countdowns and uptimes, one timer for the whole page.
import { onScopeDispose, ref } from 'vue';

const now = ref(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | null = null;

export function useNow(periodMs = 250) {
  users += 1;
  timer ??= setInterval(() => (now.value = Date.now()), periodMs);
  onScopeDispose(() => {
    users -= 1;
    if (users === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  });
  return now;
}
