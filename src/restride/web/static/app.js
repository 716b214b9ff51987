// restride's own script: the charts, upload progress, the sources toggle, copy buttons and the
// browser's check-in reminder. The walk-run coach has its own (coach.js).
// No inline scripts anywhere (the Content-Security-Policy forbids them), so pages pass data
// through data- attributes and the chart fetches its numbers as JSON.
(function () {
  "use strict";

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

  // Reasons come in plain words; the rule IDs and evidence behind them show on request.
  function sourcesToggle() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-sources-toggle]");
      if (!button) { return; }
      var box = button.closest("[data-sources]");
      var shown = box.classList.toggle("show-sources");
      button.setAttribute("aria-pressed", shown ? "true" : "false");
      button.textContent = shown ? "Hide sources" : "Show sources";
    });
  }

  // A copy button beside a link the runner must paste elsewhere (the calendar feed).
  function copyButtons() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-copy]");
      if (!button) { return; }
      var source = document.getElementById(button.dataset.copy);
      var status = document.getElementById(button.dataset.copy + "-status");
      var text = source ? source.textContent.trim() : "";
      function said(words) { if (status) { status.textContent = words; } }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { said("Copied."); },
          function () { said("Could not copy: select the link and copy it yourself."); });
      } else {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        said(document.execCommand && document.execCommand("copy") ? "Copied." : "Selected: copy it with your device's copy command.");
      }
    });
  }

  // The calendar link is made from the address this page came from, as the browser sees it
  // (behind a proxy or on another device the server's own idea of its address may differ).
  function feedLinks() {
    document.querySelectorAll("[data-feed-path]").forEach(function (node) {
      var url = window.location.origin + node.dataset.feedPath;
      node.textContent = url;
      var subscribe = document.querySelector("[data-feed-subscribe]");
      if (subscribe) { subscribe.href = url.replace(/^https?:/, "webcal:"); }
    });
  }

  // A daily check-in reminder from this browser, while restride is open in a tab. The
  // calendar feed's alarm is the one that works with restride closed.
  var REMINDER_KEY = "restride.reminder";
  function reminders() {
    var box = document.querySelector("[data-reminder]");
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(REMINDER_KEY) || "null"); } catch (e) { saved = null; }
    if (box) {
      var status = box.querySelector("[data-reminder-status]");
      var button = box.querySelector("[data-reminder-on]");
      var off = box.querySelector("[data-reminder-off]");
      var time = box.querySelector("input[name=reminder_time]");
      var show = function () {
        if (!("Notification" in window)) {
          status.textContent = "This browser cannot show notifications; use the calendar alarm above.";
          button.hidden = true; off.hidden = true; return;
        }
        if (Notification.permission === "denied") {
          status.textContent = "Notifications are blocked for restride in this browser's settings; use the calendar alarm above.";
        } else if (saved && Notification.permission === "granted") {
          status.textContent = "On: a reminder at " + saved.time + " on days without a check-in, while restride is open in a tab.";
        } else {
          status.textContent = "Off.";
        }
        off.hidden = !saved;
        button.hidden = false;
      };
      if (saved && time) { time.value = saved.time; }
      box.hidden = false;
      button.addEventListener("click", function () {
        Notification.requestPermission().then(function (answer) {
          if (answer === "granted") {
            saved = { time: (time && time.value) || "09:00" };
            try { window.localStorage.setItem(REMINDER_KEY, JSON.stringify(saved)); } catch (e) { /* private mode */ }
          }
          show();
        });
      });
      off.addEventListener("click", function () {
        saved = null;
        try { window.localStorage.removeItem(REMINDER_KEY); } catch (e) { /* private mode */ }
        show();
      });
      show();
    }
    if (!saved || !("Notification" in window) || Notification.permission !== "granted") { return; }
    var remind = function () {
      var now = new Date();
      var parts = saved.time.split(":");
      var due = new Date(now.getFullYear(), now.getMonth(), now.getDate(), +parts[0], +parts[1]);
      var day = now.toISOString().slice(0, 10);
      var sentKey = REMINDER_KEY + ".sent." + day;
      var sent = null;
      try { sent = window.localStorage.getItem(sentKey); } catch (e) { sent = "1"; }
      if (now < due || sent) { return; }
      fetch("/api/reminder", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || data.checked_in) { return; }
          try { window.localStorage.setItem(sentKey, "1"); } catch (e) { /* private mode */ }
          var note = new Notification("restride: time to check in", { body: "Under a minute: how is it today?", tag: "restride-checkin" });
          note.onclick = function () { window.focus(); window.location.href = "/checkin"; };
        })
        .catch(function () { /* offline: try again next minute */ });
    };
    remind();
    setInterval(remind, 60000);
  }

  function start() {
    sourcesToggle();
    copyButtons();
    feedLinks();
    reminders();
    showUploads();
    document.querySelectorAll("canvas[data-chart-src]").forEach(drawChart);
    document.querySelectorAll("canvas[data-load-src]").forEach(drawLoad);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
