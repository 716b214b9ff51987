// The walk-run coach: warm-up walk, each run and walk, cool-down walk, on the real clock.
//
// Where the runner is comes from when they pressed Start (kept in localStorage) and the time
// now, never from counting ticks: a locked screen, a tab in the background or a reload cannot
// make it drift. The beeps for every change are handed to Web Audio in advance, which plays
// them on time even while the page's timers are held back; the spoken cue follows when the
// page runs again. A wake lock keeps the screen on where the browser allows it.
(function () {
  "use strict";

  var box = document.querySelector("[data-coach]");
  if (!box) { return; }
  var plan = JSON.parse(box.dataset.plan);
  var storeKey = box.dataset.store;
  var stepText = box.querySelector("[data-coach-step]");
  var clockText = box.querySelector("[data-coach-clock]");
  var nextText = box.querySelector("[data-coach-next]");
  var progress = box.querySelector("[data-coach-progress]");
  var say = box.querySelector("[data-coach-say]");
  var startButton = box.querySelector("[data-coach-start]");
  var pauseButton = box.querySelector("[data-coach-pause]");
  var endButton = box.querySelector("[data-coach-end]");
  var beepBox = box.querySelector("[data-coach-beep]");
  var voiceBox = box.querySelector("[data-coach-voice]");
  var wakeText = box.querySelector("[data-coach-wake]");
  var doneInput = document.querySelector("[data-coach-done]");
  var runInput = document.querySelector("[data-coach-run]");
  var logHint = document.querySelector("[data-coach-log-hint]");

  function minutesWords(seconds) {
    if (seconds % 60 === 0) { var m = seconds / 60; return m + (m === 1 ? " minute" : " minutes"); }
    if (seconds < 60) { return seconds + " seconds"; }
    return (seconds / 60).toFixed(1).replace(/\.0$/, "") + " minutes";
  }

  // Each step: what to do, how long (s), and whether it is running.
  var steps = [];
  if (plan.warmup_walk_min > 0) { steps.push({ name: "Walk to warm up", seconds: plan.warmup_walk_min * 60, run: false }); }
  plan.blocks.forEach(function (block) {
    for (var i = 1; i <= block.repeats; i += 1) {
      if (block.run_s > 0) { steps.push({ name: "Run " + i + " of " + block.repeats, seconds: block.run_s, run: true }); }
      if (block.walk_s > 0) { steps.push({ name: "Walk", seconds: block.walk_s, run: false }); }
    }
  });
  if (plan.cooldown_walk_min > 0) { steps.push({ name: "Walk to cool down", seconds: plan.cooldown_walk_min * 60, run: false }); }
  var total = 0;
  steps.forEach(function (step) { step.start = total; total += step.seconds; });

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }
  function save(state) {
    try {
      if (state) { window.localStorage.setItem(storeKey, JSON.stringify(state)); } else { window.localStorage.removeItem(storeKey); }
    } catch (e) { /* private mode: the timer still runs until the page closes */ }
  }
  var state = load(); // {started: ms, paused: ms|null, pausedFor: ms, ended: bool}

  function elapsed() {
    if (!state) { return 0; }
    var until = state.paused || Date.now();
    return Math.max(0, (until - state.started - state.pausedFor) / 1000);
  }
  function stepAt(seconds) {
    for (var i = 0; i < steps.length; i += 1) {
      if (seconds < steps[i].start + steps[i].seconds) { return i; }
    }
    return steps.length;
  }
  function runSoFar(seconds) {
    var ran = 0;
    steps.forEach(function (step) {
      if (step.run) { ran += Math.max(0, Math.min(seconds, step.start + step.seconds) - step.start); }
    });
    return ran;
  }
  function clock(seconds) {
    var whole = Math.max(0, Math.ceil(seconds));
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // --- cues: a beep (Web Audio, scheduled ahead), a buzz, and a voice ---
  var audio = null;
  var scheduled = [];
  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) { audio = new Context(); }
    if (audio && audio.state === "suspended") { audio.resume(); }
    return audio;
  }
  function beepAt(when, high) {
    var ctx = audio;
    if (!ctx) { return; }
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.frequency.value = high ? 880 : 660;
    gain.gain.setValueAtTime(0.0001, when);
    gain.gain.exponentialRampToValueAtTime(0.4, when + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, when + 0.45);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(when);
    osc.stop(when + 0.5);
    scheduled.push(osc);
  }
  function scheduleBeeps() {
    cancelBeeps();
    if (!beepBox.checked || !audioContext()) { return; }
    var now = elapsed();
    steps.forEach(function (step) {
      if (step.start > now) { beepAt(audio.currentTime + (step.start - now), step.run); }
    });
    if (total > now) { beepAt(audio.currentTime + (total - now), true); beepAt(audio.currentTime + (total - now) + 0.6, true); }
  }
  function cancelBeeps() {
    scheduled.forEach(function (osc) { try { osc.stop(); } catch (e) { /* already played */ } });
    scheduled = [];
  }
  function speak(words) {
    say.textContent = words;
    box.dataset.cue = words;
    if (navigator.vibrate) { navigator.vibrate([300, 100, 300]); }
    if (!voiceBox.checked || !window.speechSynthesis || !window.SpeechSynthesisUtterance) { return; }
    try {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new window.SpeechSynthesisUtterance(words));
    } catch (e) { /* no voice on this device: the beep and the screen still say it */ }
  }
  function cueFor(index) {
    if (index >= steps.length) { return "Done. Well done. Now log how it went."; }
    var step = steps[index];
    var next = steps[index + 1];
    return step.name + ", " + minutesWords(step.seconds) + (next ? ". Then " + next.name.toLowerCase() + "." : ".");
  }

  // --- the screen stays on while the session runs ---
  var wakeLock = null;
  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") {
      if (!("wakeLock" in navigator)) { wakeText.textContent = "This browser cannot keep the screen on: the timer still keeps time if it sleeps."; }
      return;
    }
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      box.dataset.awake = "true";
      wakeText.textContent = "The screen stays on while the session runs.";
      lock.addEventListener("release", function () { box.dataset.awake = "false"; });
    }).catch(function () {
      wakeText.textContent = "The screen may sleep (the browser said no): the timer still keeps time.";
    });
  }
  function letSleep() {
    if (wakeLock) { wakeLock.release(); wakeLock = null; }
  }

  // --- drawing where the runner is, as often as the page runs ---
  var shown = -1;
  var ticking = null;
  function draw() {
    var now = elapsed();
    var index = stepAt(now);
    progress.value = Math.min(total, Math.floor(now));
    if (index >= steps.length) {
      finish();
      return;
    }
    var step = steps[index];
    stepText.textContent = step.name;
    clockText.textContent = clock(step.start + step.seconds - now);
    var next = steps[index + 1];
    nextText.textContent = (next ? "Next: " + next.name.toLowerCase() + ", " + minutesWords(next.seconds) : "Next: done") + " · step " + (index + 1) + " of " + steps.length;
    box.dataset.step = String(index + 1);
    box.dataset.running = step.run ? "true" : "false";
    if (index !== shown && state && !state.paused) {
      if (shown !== -1 || now < 2) { speak(cueFor(index)); }
      shown = index;
    }
  }
  function fillLog(seconds) {
    if (doneInput) { doneInput.value = String(Math.round(seconds / 60)); }
    if (runInput) { runInput.value = (runSoFar(seconds) / 60).toFixed(1); }
  }
  function finish() {
    var seconds = Math.min(elapsed(), total);
    if (ticking) { clearInterval(ticking); ticking = null; }
    cancelBeeps();
    letSleep();
    if (state && !state.ended) {
      state.ended = true;
      state.paused = state.paused || Date.now();
      save(state);
      speak(cueFor(steps.length));
    }
    stepText.textContent = seconds >= total ? "Done: well done." : "Ended after " + clock(seconds) + ".";
    clockText.textContent = clock(0);
    nextText.textContent = "Log how it went below.";
    box.dataset.step = "done";
    startButton.hidden = true;
    pauseButton.hidden = true;
    endButton.hidden = true;
    fillLog(seconds);
    if (logHint) { logHint.textContent = "The minutes below are what you did; add how it felt and save."; }
    var log = document.querySelector("[data-coach-log]");
    if (log) { log.scrollIntoView({ block: "start" }); }
  }
  function run() {
    if (!ticking) { ticking = setInterval(draw, 250); }
    startButton.hidden = true;
    pauseButton.hidden = false;
    endButton.hidden = false;
    keepAwake();
    scheduleBeeps();
    draw();
  }

  startButton.addEventListener("click", function () {
    audioContext(); // a tap is what lets a page make sound
    if (!state) {
      state = { started: Date.now(), paused: null, pausedFor: 0, ended: false };
    } else if (state.paused) {
      state.pausedFor += Date.now() - state.paused;
      state.paused = null;
    }
    save(state);
    shown = -1;
    run();
  });
  pauseButton.addEventListener("click", function () {
    if (!state || state.paused) { return; }
    state.paused = Date.now();
    save(state);
    if (ticking) { clearInterval(ticking); ticking = null; }
    cancelBeeps();
    letSleep();
    draw();
    stepText.textContent = "Paused: " + stepText.textContent;
    pauseButton.hidden = true;
    startButton.hidden = false;
    startButton.textContent = "Resume";
    startButton.focus();
  });
  endButton.addEventListener("click", function () {
    if (!state) { return; }
    state.paused = state.paused || Date.now();
    finish();
  });
  beepBox.addEventListener("change", function () { if (state && !state.paused) { scheduleBeeps(); } else { cancelBeeps(); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !state || state.paused) { return; }
    keepAwake();
    draw();
  });

  // Back on the page (a reload, or the phone unlocked): carry on where the clock says.
  if (state && state.ended) {
    finish();
  } else if (state && state.paused) {
    shown = stepAt(elapsed());
    draw();
    stepText.textContent = "Paused: " + stepText.textContent;
    startButton.textContent = "Resume";
    endButton.hidden = false;
  } else if (state) {
    shown = stepAt(elapsed());
    run();
  }
})();
