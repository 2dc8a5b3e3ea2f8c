// devspend's small amount of browser code: charts, auto-submitting selects, sync progress.
// Loaded as a file (no inline script) so the Content-Security-Policy can forbid inline code.
(function () {
  "use strict";

  var PALETTE = ["#2f6fde", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085",
                 "#d35400", "#2c3e50", "#f1c40f", "#7f8c8d"];

  function dollars(cents) {
    return "$" + (cents / 100).toLocaleString(undefined, {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }

  function drawChart() {
    var holder = document.getElementById("chart-data");
    var canvas = document.getElementById("daily-chart");
    if (!holder || !canvas || typeof Chart === "undefined") { return; }
    var data = JSON.parse(holder.textContent);
    var datasets = data.series.map(function (s, i) {
      var colour = s.key === "other" ? "#b8c0c8" : PALETTE[i % PALETTE.length];
      return {label: s.key, data: s.charged_cents.map(Number), backgroundColor: colour,
              borderColor: colour, stack: "spend"};
    });
    var labels = data.days.slice();
    if (data.forecast) {  // the forecast continues the chart after the data's last day, dashed
      var line = labels.map(function () { return null; });
      data.forecast.days.forEach(function (day, i) {
        var at = labels.indexOf(day);
        if (at < 0) { labels.push(day); line.push(null); at = labels.length - 1; }
        line[at] = Number(data.forecast.charged_cents[i]);
      });
      datasets.push({type: "line", label: "forecast", stack: "forecast", borderDash: [6, 4],
                     borderColor: "#555", backgroundColor: "#555", pointRadius: 0,
                     spanGaps: false, data: line});
    }
    var chart = new Chart(canvas, {
      type: "bar",
      data: {labels: labels, datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: {mode: "index", intersect: false},
        scales: {x: {stacked: true, ticks: {maxTicksLimit: 12}},
                 y: {stacked: true, ticks: {callback: function (v) { return dollars(v); }}}},
        plugins: {
          legend: {position: "bottom", labels: {boxWidth: 12}},
          tooltip: {callbacks: {
            label: function (ctx) { return ctx.dataset.label + ": " + dollars(ctx.parsed.y); },
            footer: function (items) {
              var total = items.reduce(function (sum, it) { return sum + it.parsed.y; }, 0);
              return "Total: " + dollars(total);
            }
          }}
        }
      }
    });
    canvas.setAttribute("data-ready", "1");
    window.devspendChart = chart;
  }

  function autoSubmit() {
    document.querySelectorAll("select.autosubmit").forEach(function (el) {
      el.addEventListener("change", function () {
        var form = el.form;
        if (el.name === "range" && el.value !== "custom") {
          form.querySelectorAll("input[type=date]").forEach(function (d) { d.disabled = true; });
        }
        form.submit();
      });
    });
    document.querySelectorAll("form.filters input[type=date]").forEach(function (el) {
      el.addEventListener("change", function () {
        var select = el.form.querySelector("select[name=range]");
        if (select) { select.value = "custom"; }
      });
    });
    document.querySelectorAll("form.filters").forEach(function (form) {
      form.addEventListener("submit", function () {
        var select = form.querySelector("select[name=range]");
        if (select && select.value !== "custom") {
          form.querySelectorAll("input[type=date]").forEach(function (d) { d.disabled = true; });
        }
      });
    });
  }

  function showBars() {
    document.querySelectorAll(".progress > div[data-percent]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-percent") + "%";
    });
  }

  function pollSync() {
    document.querySelectorAll("[data-status-url]").forEach(pollOne);
  }

  function pollOne(box) {
    var url = box.getAttribute("data-status-url");
    function tick() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var bar = box.querySelector(".progress > div");
          var text = box.querySelector(".progress-text");
          var state = box.querySelector(".sync-state");
          if (bar) { bar.style.width = s.backfill_percent + "%"; }
          if (text) { text.textContent = s.progress_text; }
          var pct = box.querySelector(".progress-percent");
          if (pct) { pct.textContent = s.backfill_percent; }
          if (state) { state.textContent = s.status; }
          if (s.running) { setTimeout(tick, 1000); }
          else if (box.getAttribute("data-was-running") === "1") { window.location.reload(); }
          box.setAttribute("data-was-running", s.running ? "1" : "0");
        })
        .catch(function () { setTimeout(tick, 5000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawChart();
    autoSubmit();
    showBars();
    pollSync();
  });
})();
