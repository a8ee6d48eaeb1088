/* hallq — voice calls on a speaker board (docs/voice.md).
 *
 * Every call and recall is queued and spoken in order: a short chime, then the server's audio
 * (`/voice/<hash>.wav`, rendered offline by espeak-ng or stitched from the hall's own clips),
 * `times` times. Nothing is ever cut off or skipped, however many windows call at once: the
 * board shows how many announcements wait to be spoken. Where the server has no speech engine
 * (`audio_url: null`) or the audio fails, the browser's own speechSynthesis speaks the text.
 * A browser that blocks autoplay gets a one-tap "开启语音" button; the call that was blocked
 * is then played, not dropped.
 *
 * Everything is guarded: a board must never stop updating because of sound.
 * Test hook: `window.hallq.voice` — {played: [{text, n}], queue(), enabled}.
 */

let audioCtx = null;
function ctx() {
  try {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audioCtx) audioCtx = new Ctx();
    if (audioCtx.state === "suspended") audioCtx.resume().catch(function () {});
    return audioCtx;
  } catch (e) { return null; }
}

/** Two falling tones (WebAudio: no file, nothing for the CSP); resolves when they are over. */
function chime() {
  return new Promise(function (resolve) {
    const ac = ctx();
    if (!ac) { resolve(); return; }
    try {
      const t0 = ac.currentTime + 0.02;
      [[880, 0], [660, 0.32]].forEach(function (pair) {
        const osc = ac.createOscillator();
        const gain = ac.createGain();
        osc.type = "sine";
        osc.frequency.value = pair[0];
        gain.gain.setValueAtTime(0.0001, t0 + pair[1]);
        gain.gain.exponentialRampToValueAtTime(0.25, t0 + pair[1] + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + pair[1] + 0.6);
        osc.connect(gain).connect(ac.destination);
        osc.start(t0 + pair[1]);
        osc.stop(t0 + pair[1] + 0.65);
      });
    } catch (e) { /* no audio: fine */ }
    setTimeout(resolve, 1000);
  });
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

/** The browser's own speech (the fallback); resolves when done, failed, or after a long while. */
function speak(parts) {
  return new Promise(function (resolve) {
    let left = parts.length;
    let done = false;
    function finish() { if (!done) { done = true; resolve(); } }
    if (!left || !("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
      finish();
      return;
    }
    // a browser without a voice may never fire `end`: never let that stall the queue
    const guard = setTimeout(finish, 4000 + 400 * parts.reduce(function (n, p) { return n + p.text.length; }, 0));
    try {
      parts.forEach(function (p) {
        const u = new window.SpeechSynthesisUtterance(p.text);
        u.lang = p.lang;
        u.rate = 0.9;
        const v = pickVoice(p.lang);
        if (v) u.voice = v;
        u.onend = u.onerror = function () { left -= 1; if (left <= 0) { clearTimeout(guard); finish(); } };
        window.speechSynthesis.speak(u);
      });
    } catch (e) { clearTimeout(guard); finish(); }
  });
}

class Blocked extends Error {}

/**
 * The queue of one board. `opts.onQueue(n)` hears how many announcements wait (the one being
 * spoken included); `opts.onBlocked(retry)` is called when the browser refuses to play without
 * a tap: call `retry()` from the tap.
 */
export class Announcer {
  constructor(opts) {
    this.opts = opts || {};
    this.enabled = false;
    this.items = [];
    this.busy = false;
    this.played = [];   // test hook: every media `ended`, in order
    this.spoken = [];   // test hook: every fallback utterance, in order
    const self = this;
    window.hallq = window.hallq || {};
    window.hallq.voice = {
      get enabled() { return self.enabled; },
      played: this.played,
      spoken: this.spoken,
      queue: function () { return self.items.length; },
    };
  }

  /** Only a speaker board speaks; anonymous boards never do. */
  enable(on) {
    this.enabled = !!on;
    if (!this.enabled) this.items.length = 0;
    this._changed();
  }

  /** Queue one announcement: {text, text_en, audio_url, times, fallback: [{text, lang}]}. */
  add(item) {
    if (!this.enabled || !item) return;
    if (item.audio_url) {
      // ask for the audio now: the server renders it while the queue drains
      item.audio = new Audio();
      item.audio.preload = "auto";
      item.audio.src = item.audio_url;
    }
    this.items.push(item);
    this._changed();
    this._next();
  }

  _changed() {
    if (this.opts.onQueue) {
      try { this.opts.onQueue(this.items.length); } catch (e) { /* display only */ }
    }
  }

  _next() {
    if (this.busy || !this.items.length) return;
    this.busy = true;
    const self = this;
    const item = this.items[0];
    this._speak(item).then(function () {
      self.items.shift();
      self.busy = false;
      self._changed();
      self._next();
    }, function (err) {
      self.busy = false;
      if (err instanceof Blocked && self.opts.onBlocked) {
        // keep the item at the head: the tap plays it, nothing is skipped
        self.opts.onBlocked(function () { ctx(); self._next(); });
      } else {
        self.items.shift();
        self._changed();
        self._next();
      }
    });
  }

  async _speak(item) {
    const times = Math.max(1, item.times || 1);
    for (let n = item.done || 0; n < times; n++) {
      await chime();
      if (item.audio && !item.broken) {
        try {
          await this._play(item.audio);
          this.played.push({ text: item.text, n: n + 1 });
          item.done = n + 1;
          continue;
        } catch (e) {
          if (e instanceof Blocked) throw e;
          item.broken = true;   // the server's audio failed: the browser's speech instead
        }
      }
      await speak(item.fallback || [{ text: item.text, lang: "zh-CN" }]);
      this.spoken.push({ text: item.text, n: n + 1 });
      item.done = n + 1;
    }
  }

  _play(audio) {
    return new Promise(function (resolve, reject) {
      let settled = false;
      function off() {
        audio.removeEventListener("ended", ended);
        audio.removeEventListener("error", failed);
      }
      function ended() { if (!settled) { settled = true; off(); resolve(); } }
      function failed() { if (!settled) { settled = true; off(); reject(new Error("audio failed")); } }
      audio.addEventListener("ended", ended);
      audio.addEventListener("error", failed);
      try { audio.currentTime = 0; } catch (e) { /* not loaded yet */ }
      const p = audio.play();
      if (p && typeof p.catch === "function") {
        p.catch(function (e) {
          if (settled) return;
          settled = true;
          off();
          reject(e && e.name === "NotAllowedError" ? new Blocked("autoplay blocked") : e);
        });
      }
    });
  }
}
