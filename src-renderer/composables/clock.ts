// A shared ticking "now" for countdowns and uptimes: one timer per period asked for, shared by every caller of that period.
import { onScopeDispose, ref, type Ref } from 'vue';

interface Ticker {
  readonly now: Ref<number>;
  users: number;
  timer: ReturnType<typeof setInterval>;
}

const tickers = new Map<number, Ticker>();

/** The current time, updated every `periodMs`; each caller gets the period it asked for. Call inside a component or effect scope. */
export function useNow(periodMs = 250): Readonly<Ref<number>> {
  let ticker = tickers.get(periodMs);
  if (!ticker) {
    const now = ref(Date.now());
    ticker = { now, users: 0, timer: setInterval(() => (now.value = Date.now()), periodMs) };
    tickers.set(periodMs, ticker);
  }
  const mine = ticker;
  mine.users += 1;
  onScopeDispose(() => {
    mine.users -= 1;
    if (mine.users === 0) {
      clearInterval(mine.timer);
      tickers.delete(periodMs);
    }
  });
  return mine.now;
}
