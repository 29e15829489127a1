// The page's side of the match-found alert: a short chime (WebAudio, no files) and a desktop notification.
import type { AlertEnv } from './alerts';

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

export function browserAlerts(): AlertEnv {
  return {
    focused: () => document.hasFocus(),
    chime,
    notify(title, body) {
      if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
      const note = new Notification(title, { body, tag: 'match-found' });
      note.onclick = () => window.focus();
    },
  };
}

