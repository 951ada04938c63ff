/* The dashboard's charts (ECharts, vendored) and the sortable table. The tables on the page
   hold the same numbers, so nothing is lost without JavaScript or when printing. */
(function () {
  "use strict";
  // Okabe–Ito: distinguishable with every common colour-vision deficiency.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"];
  var data = JSON.parse(document.getElementById("board-data").textContent);
  var lang = document.documentElement.lang === "en" ? "EN" : "ZH";
  var charts = [];

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var c = echarts.init(el, null, { locale: lang, renderer: "svg" });
    option.color = PALETTE;
    option.animation = false;
    option.textStyle = { fontFamily: "PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif" };
    c.setOption(option);
    charts.push(c);
    return c;
  }

  function indicator(key) {
    return data.indicators.filter(function (i) { return i.key === key; })[0];
  }

  function childrenChart(key) {
    var ind = indicator(key);
    var rows = data.children.slice().sort(function (a, b) { return (b[key] || 0) - (a[key] || 0); });
    var c = chart("chart-children", {
      grid: { left: 110, right: 40, top: 10, bottom: 30 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "–" : v + (ind.percent ? "%" : ""); } },
      xAxis: { type: "value", max: ind.percent ? 100 : null },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
      series: [{ type: "bar", name: ind.label, data: rows.map(function (r) { return r[key]; }),
                 label: { show: true, position: "right", formatter: function (p) { return p.value == null ? "–" : p.value + (ind.percent ? "%" : ""); } } }]
    });
    if (c) c.on("click", function (p) { var r = rows[p.dataIndex]; if (r) location.href = r.url + location.search; });
  }

  function trendCharts() {
    var months = data.trend.map(function (r) { return r.month; });
    function series(keys) {
      return keys.map(function (key) {
        return { type: "line", name: indicator(key) ? indicator(key).label : key, symbolSize: 6,
                 data: data.trend.map(function (r) { return r[key]; }) };
      });
    }
    var common = { tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 50, right: 20, top: 36, bottom: 30 },
                   xAxis: { type: "category", data: months }, yAxis: { type: "value" } };
    chart("chart-trend-activity", Object.assign({}, common, { series: series(["contacts", "visits_in", "stay_days"]) }));
    chart("chart-trend-ledger", Object.assign({}, common, { series: series(["new", "pending", "overdue"]) }));
  }

  function kindCharts() {
    chart("chart-kinds", { tooltip: {}, series: [{ type: "treemap", roam: false, nodeClick: false, breadcrumb: { show: false },
      data: data.kinds.filter(function (k) { return k.value; }),
      label: { formatter: "{b}\n{c}" } }] });
    chart("chart-topics", { tooltip: {}, grid: { left: 90, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: data.topics.map(function (t) { return t.name; }) },
      series: [{ type: "bar", data: data.topics.map(function (t) { return t.value; }), label: { show: true, position: "right" } }] });
  }

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, index) {
      var button = th.querySelector("button") || th;
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index], y = b.cells[index];
          if (th.dataset.sort === "num") {
            var p = parseFloat(x.dataset.value), q = parseFloat(y.dataset.value);
            p = isNaN(p) ? -Infinity : p; q = isNaN(q) ? -Infinity : q;
            return asc ? p - q : q - p;
          }
          return asc ? x.textContent.localeCompare(y.textContent, "zh") : y.textContent.localeCompare(x.textContent, "zh");
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function start() {
    var select = document.getElementById("rank-indicator");
    if (select) {
      childrenChart(select.value);
      select.addEventListener("change", function () {
        var old = echarts.getInstanceByDom(document.getElementById("chart-children"));
        if (old) { charts.splice(charts.indexOf(old), 1); old.dispose(); }
        childrenChart(select.value);
      });
    }
    trendCharts();
    kindCharts();
    document.querySelectorAll("table.sortable").forEach(sortable);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
    document.body.dataset.chartsReady = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
