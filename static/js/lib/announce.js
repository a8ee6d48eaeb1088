/* hallq — voice announcement for boards: a short chime, then speechSynthesis.
 * Everything is guarded: a browser without speech, without voices or with audio blocked
 * simply stays silent; a board must never stop updating because of sound. */

let audioCtx = null;
function chime() {
  try {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audioCtx) audioCtx = new Ctx();
    if (audioCtx.state === "suspended") audioCtx.resume().catch(function () {});
    const t0 = audioCtx.currentTime + 0.02;
    [[880, 0], [660, 0.32]].forEach(function (pair) {
      const osc = audioCtx.createOscillator();
      const gain = audioCtx.createGain();
      osc.type = "sine";
      osc.frequency.value = pair[0];
      gain.gain.setValueAtTime(0.0001, t0 + pair[1]);
      gain.gain.exponentialRampToValueAtTime(0.25, t0 + pair[1] + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + pair[1] + 0.6);
      osc.connect(gain).connect(audioCtx.destination);
      osc.start(t0 + pair[1]);
      osc.stop(t0 + pair[1] + 0.65);
    });
  } catch (e) { /* no audio: fine */ }
}

function pickVoice(lang) {
  try {
    const voices = window.speechSynthesis.getVoices() || [];
    const want = lang.toLowerCase();
    return voices.find(function (v) { return (v.lang || "").toLowerCase().replace("_", "-") === want; }) ||
      voices.find(function (v) { return (v.lang || "").toLowerCase().indexOf(want.slice(0, 2)) === 0; }) ||
      null;
  } catch (e) { return null; }
}

/**
 * Speaks each {text, lang} in order after a chime. Long queues are trimmed: when ten
 * windows call at once, the board keeps up instead of talking for minutes.
 */
export function announce(parts) {
  chime();
  try {
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") return;
    const synth = window.speechSynthesis;
    if (synth.pending && synth.speaking) {
      // Already two behind: drop the backlog, the newest call matters most.
      synth.cancel();
    }
    parts.forEach(function (p) {
      const u = new window.SpeechSynthesisUtterance(p.text);
      u.lang = p.lang;
      u.rate = 0.9;
      const v = pickVoice(p.lang);
      if (v) u.voice = v;
      u.onerror = function () { /* no voice for this language: stay silent */ };
      synth.speak(u);
    });
  } catch (e) { /* never let sound break the board */ }
}
