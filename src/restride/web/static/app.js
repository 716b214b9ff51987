// restride's own script: checklist ticks kept on this device, and the pain chart.
// No inline scripts anywhere (the Content-Security-Policy forbids them), so pages pass data
// through data- attributes and the chart fetches its numbers as JSON.
(function () {
  "use strict";

  function keepTicks() {
    document.querySelectorAll("input[data-tick]").forEach(function (box) {
      var key = "restride.tick." + box.dataset.tick;
      try { box.checked = window.localStorage.getItem(key) === "1"; } catch (e) { /* private mode */ }
      box.addEventListener("change", function () {
        try {
          if (box.checked) { window.localStorage.setItem(key, "1"); } else { window.localStorage.removeItem(key); }
        } catch (e) { /* storage full or off: the tick still shows until reload */ }
      });
    });
  }

  // Colour-blind-safe palette (Okabe-Ito) with distinct dashes, so kinds differ without colour.
  var LINES = {
    pain_rest: ["#0072B2", []],
    pain_walking: ["#D55E00", [6, 3]],
    pain_activity: ["#009E73", [2, 2]],
    pain_after: ["#CC79A7", [8, 3, 2, 3]],
    pain_next_morning: ["#000000", [1, 3]]
  };
  var BANDS = ["rgba(0,114,178,0.08)", "rgba(230,159,0,0.12)"];

  // Shades each phase behind the lines and writes its name at the top.
  var phaseBands = {
    id: "phaseBands",
    beforeDatasetsDraw: function (chart, _args, options) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      (options.phases || []).forEach(function (band, i) {
        var start = options.dates.indexOf(band.start), end = options.dates.indexOf(band.end);
        if (start < 0 || end < 0) { return; }
        var left = x.getPixelForValue(start) - (start === 0 ? 0 : x.width / options.dates.length / 2);
        var right = x.getPixelForValue(end) + (end === options.dates.length - 1 ? 0 : x.width / options.dates.length / 2);
        ctx.save();
        ctx.fillStyle = BANDS[i % 2];
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = "#333";
        ctx.font = "12px system-ui, sans-serif";
        ctx.fillText(band.phase, left + 4, area.top + 14);
        ctx.restore();
      });
    }
  };

  function drawChart(canvas) {
    if (!window.Chart) { return; }
    fetch(canvas.dataset.chartSrc, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var datasets = Object.keys(data.pain).map(function (field) {
          var style = LINES[field] || ["#555", []];
          return {
            label: data.pain[field].label,
            data: data.pain[field].values,
            borderColor: style[0],
            backgroundColor: style[0],
            borderDash: style[1],
            borderWidth: 2,
            pointRadius: 2,
            spanGaps: false
          };
        });
        var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        new window.Chart(canvas, {
          type: "line",
          data: { labels: data.dates, datasets: datasets },
          options: {
            animation: reduced ? false : { duration: 300 },
            maintainAspectRatio: false,
            interaction: { mode: "index", intersect: false },
            scales: {
              y: { min: 0, max: 10, ticks: { stepSize: 2 }, title: { display: true, text: "pain 0-10" } },
              x: { ticks: { maxTicksLimit: 8, autoSkip: true } }
            },
            plugins: {
              legend: { position: "bottom", labels: { boxWidth: 24 } },
              phaseBands: { phases: data.phases, dates: data.dates }
            }
          },
          plugins: [phaseBands]
        });
        canvas.dataset.drawn = "true";
      })
      .catch(function (error) {
        var legend = canvas.closest("figure").querySelector("[data-chart-legend]");
        if (legend) { legend.textContent = "The chart could not be drawn (" + error.message + "); the table below has the same days."; }
      });
  }

  // Weekly load (history page): bars per sport, LOAD-1 spikes, the ACWR line, shoe use.
  var SPORTS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var loads = {};

  function loadData(src) {
    if (!loads[src]) {
      loads[src] = fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        });
    }
    return loads[src];
  }

  function bars(table) {
    return Object.keys(table).map(function (name, i) {
      var colour = SPORTS[i % SPORTS.length];
      return { type: "bar", label: name, data: table[name], backgroundColor: colour, borderColor: colour, stack: "load", yAxisID: "y", order: 2 };
    });
  }

  function drawLoad(canvas) {
    if (!window.Chart) { return; }
    var view = canvas.dataset.loadView;
    loadData(canvas.dataset.loadSrc)
      .then(function (data) {
        var unit = view === "minutes" ? "minutes" : "km";
        var datasets = bars(view === "minutes" ? data.minutes : view === "km" ? data.km : data.shoes);
        var scales = {
          x: { stacked: true, ticks: { maxTicksLimit: 8, autoSkip: true } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: unit + " a week" } }
        };
        if (view === "minutes") {
          var spikeWeeks = {};
          data.spikes.forEach(function (s) { spikeWeeks[s.week] = s; });
          datasets.push({
            type: "line", label: "Run-length spike (LOAD-1)", yAxisID: "y", stack: "spikes", order: 0, showLine: false,
            pointStyle: "triangle", pointRadius: 7, borderColor: "#D55E00", backgroundColor: "#D55E00",
            data: data.weeks.map(function (week, i) { return spikeWeeks[week] ? data.running_minutes[i] : null; })
          });
          datasets.push({
            type: "line", label: "ACWR: shown only, never used to decide (LOAD-3)", yAxisID: "ratio", order: 1,
            borderColor: "#000000", backgroundColor: "#000000", borderDash: [6, 4], borderWidth: 2, pointRadius: 2,
            spanGaps: false, data: data.acwr
          });
          scales.ratio = { position: "right", beginAtZero: true, suggestedMax: 2, grid: { drawOnChartArea: false }, title: { display: true, text: "ratio" } };
        }
        var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        new window.Chart(canvas, {
          type: "bar",
          data: { labels: data.weeks, datasets: datasets },
          options: {
            animation: reduced ? false : { duration: 300 },
            maintainAspectRatio: false,
            interaction: { mode: "index", intersect: false },
            scales: scales,
            plugins: { legend: { position: "bottom", labels: { boxWidth: 18 } } }
          }
        });
        canvas.dataset.drawn = "true";
      })
      .catch(function (error) {
        var legend = canvas.closest("figure").querySelector("[data-chart-legend]");
        if (legend) { legend.textContent = "The chart could not be drawn (" + error.message + "); the table below has the same weeks."; }
      });
  }

  // An upload's progress: htmx reports the bytes sent; the bar shows them, then "importing".
  function showUploads() {
    document.body.addEventListener("htmx:xhr:progress", function (event) {
      var form = event.target.closest && event.target.closest("form[data-upload]");
      if (!form || !event.detail.lengthComputable) { return; }
      var bar = form.querySelector("[data-upload-progress]");
      var status = form.querySelector("[data-upload-status]");
      var done = Math.round(event.detail.loaded / event.detail.total * 100);
      if (bar) { bar.hidden = false; bar.value = done; }
      if (status) { status.textContent = done < 100 ? "Uploading: " + done + "%" : "Uploaded; importing..."; }
    });
  }

  // The walk-run timer: warm-up walk, each run and walk of the blocks, cool-down walk. The
  // plan arrives as JSON in a data- attribute; a change of step is announced once (not every
  // second) and the phone vibrates where it can, so the runner need not watch the screen.
  function segmentsOf(plan) {
    var segments = [];
    if (plan.warmup_walk_min > 0) { segments.push(["Walk to warm up", plan.warmup_walk_min * 60]); }
    plan.blocks.forEach(function (block) {
      for (var i = 1; i <= block.repeats; i += 1) {
        if (block.run_s > 0) { segments.push(["Run " + i + " of " + block.repeats, block.run_s]); }
        if (block.walk_s > 0) { segments.push(["Walk", block.walk_s]); }
      }
    });
    if (plan.cooldown_walk_min > 0) { segments.push(["Walk to cool down", plan.cooldown_walk_min * 60]); }
    return segments;
  }

  function clock(seconds) {
    var whole = Math.max(0, Math.ceil(seconds));
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function intervalTimers() {
    document.querySelectorAll("[data-intervals]").forEach(function (box) {
      var segments = segmentsOf(JSON.parse(box.dataset.intervals));
      var now = box.querySelector("[data-timer-now]");
      var say = box.querySelector("[data-timer-say]");
      var startButton = box.querySelector("[data-timer-start]");
      var pauseButton = box.querySelector("[data-timer-pause]");
      var index = 0;
      var left = segments.length ? segments[0][1] : 0;
      var ticking = null;
      function show() {
        if (index >= segments.length) {
          now.textContent = "Done. Tell restride how it went in tomorrow's check-in.";
          return;
        }
        now.textContent = segments[index][0] + ": " + clock(left) + " left (step " + (index + 1) + " of " + segments.length + ")";
      }
      function announce() {
        say.textContent = index < segments.length ? segments[index][0] : "Done";
        if (navigator.vibrate) { navigator.vibrate(400); }
      }
      function tick() {
        left -= 1;
        if (left <= 0) {
          index += 1;
          if (index < segments.length) {
            left = segments[index][1];
          } else {
            clearInterval(ticking);
            ticking = null;
            startButton.hidden = true;
            pauseButton.hidden = true;
          }
          announce();
        }
        show();
      }
      startButton.addEventListener("click", function () {
        if (!ticking) { ticking = setInterval(tick, 1000); }
        startButton.hidden = true;
        pauseButton.hidden = false;
        show();
        announce();
      });
      pauseButton.addEventListener("click", function () {
        clearInterval(ticking);
        ticking = null;
        pauseButton.hidden = true;
        startButton.hidden = false;
        startButton.textContent = "Resume";
        now.textContent = "Paused. " + now.textContent;
      });
    });
  }

  function start() {
    intervalTimers();
    keepTicks();
    showUploads();
    document.querySelectorAll("canvas[data-chart-src]").forEach(drawChart);
    document.querySelectorAll("canvas[data-load-src]").forEach(drawLoad);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
