// Tells a player who is looking elsewhere that a match was found: a desktop notification and a short chime (WebAudio, no files).
import { watch } from 'vue';
import type { MatchmakingPhase } from '../src-main/contract';
import { seconds } from './present';
import { useMatchmakingStore } from './stores';

export function shouldAlert(previous: MatchmakingPhase | undefined, next: MatchmakingPhase, focused: boolean): boolean {
  return next === 'found' && previous !== 'found' && !focused;
}

function chime(): void {
  try {
    const audio = new AudioContext();
    const start = audio.currentTime;
    for (const [i, freq] of [660, 880].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.2, start + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.18 + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + i * 0.18);
      osc.stop(start + i * 0.18 + 0.32);
    }
    setTimeout(() => void audio.close(), 1000);
  } catch {
    // No audio device: the notification still shows.
  }
}

export function watchMatchFound(): void {
  const matchmaking = useMatchmakingStore();
  watch(
    () => matchmaking.view.phase,
    (next, previous) => {
      if (!shouldAlert(previous, next, document.hasFocus())) return;
      chime();
      if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
      const timeout = matchmaking.view.found?.timeoutMs;
      const note = new Notification('Match found', { body: timeout ? `Ready up within ${seconds(timeout)} seconds.` : 'Ready up now.', tag: 'match-found' });
      note.onclick = () => window.focus();
    },
  );
}
