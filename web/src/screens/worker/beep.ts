// A new task's sound, made with WebAudio: no audio file to download or cache. Browsers only let a
// page make sound after a user gesture, so the context is created (or resumed) on the first tap.

let context: AudioContext | null = null;

/** Creates or resumes the audio context; call it from a tap or click. */
export function unlockSound(): void {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume();
  } catch {
    // no WebAudio: the visual banner still shows
  }
}

/** Two short tones (880 Hz, then 1320 Hz). Returns whether it could play. */
export function beep(): boolean {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume();
    const start = context.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t0 = start + i * 0.2;
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(0.3, t0 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.18);
      osc.connect(gain).connect(context.destination);
      osc.start(t0);
      osc.stop(t0 + 0.2);
    }
    return context.state === 'running';
  } catch {
    return false;
  }
}
