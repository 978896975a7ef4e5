// Draws a soak page's time series from its <script type="application/json" id="plot-data">, written by
// io.weightsync.charts.SoakHtml: each of data.series (io.weightsync.charts.TimeSeriesChart) into the element
// id="series-<i>". Axes, lines and legend are uPlot's; the warm-up is shaded through uPlot's drawClear hook,
// so it sits behind the grid and the lines. Every chart takes its container's width and follows it on resize.
(function () {
  'use strict';

  const VALUE = '#1f77b4';
  const FIRST = '#2ca02c';
  const LAST = '#ff7f0e';
  const LIMIT = '#d62728';
  const WARMUP = 'rgba(127,127,127,0.18)';
  const MAX_HEIGHT = 260;

  // four significant digits, as the harness's tables print values
  function reading(v) {
    return String(+v.toPrecision(4));
  }

  function size(el) {
    const width = Math.max(200, el.clientWidth);
    return {width: width, height: Math.min(MAX_HEIGHT, Math.round(width * 0.6))};
  }

  function drawWarmup(u, chart) {
    if (!(chart.warmupMinutes > 0)) {
      return;
    }
    const {left, top, width, height} = u.bbox;
    const x0 = Math.max(left, u.valToPos(u.scales.x.min, 'x', true));
    const x1 = Math.min(left + width, u.valToPos(chart.warmupMinutes, 'x', true));
    if (x1 > x0) {
      u.ctx.save();
      u.ctx.fillStyle = WARMUP;
      u.ctx.fillRect(x0, top, x1 - x0, height);
      u.ctx.restore();
    }
  }

  // A series that is the constant c where lo <= x <= hi, absent elsewhere.
  function level(xs, c, lo, hi) {
    return xs.map(x => (x >= lo && x <= hi ? c : null));
  }

  function seriesChart(el, chart) {
    const xs = chart.points.map(p => p[0]);
    const unit = chart.unit ? ' ' + chart.unit : '';
    const show = (u, v) => (v == null ? '' : reading(v) + unit);
    const data = [xs, chart.points.map(p => p[1])];
    const series = [
      {label: 'minutes', value: (u, x) => (x == null ? '' : reading(x))},
      {label: chart.key, stroke: VALUE, width: 1.5, spanGaps: true, points: {show: false}, value: show},
    ];
    const k = chart.check;
    if (k) {
      const end = xs[xs.length - 1];
      data.push(level(xs, k.first, k.firstFromMinutes, k.firstToMinutes));
      data.push(level(xs, k.last, k.lastFromMinutes, k.lastToMinutes));
      data.push(level(xs, k.limit, chart.warmupMinutes, end));
      series.push(
        {label: 'first window ' + k.statistic, stroke: FIRST, width: 3, points: {show: false}, value: show},
        {label: 'last window ' + k.statistic, stroke: LAST, width: 3, points: {show: false}, value: show},
        {label: 'limit (first + bound ' + reading(k.bound) + unit + ')', stroke: LIMIT, width: 1.5, dash: [6, 4],
          points: {show: false}, value: show});
    }
    // legend entry only: the shading is drawn by drawWarmup
    data.push(xs.map(() => null));
    series.push({label: 'warm-up (not checked)', stroke: WARMUP, fill: WARMUP, width: 8, paths: () => null,
      points: {show: false}, value: () => ''});
    const {width, height} = size(el);
    const u = new uPlot({
      width: width,
      height: height,
      // x from the start of the load (the first sample comes one interval later) to the last sample
      scales: {x: {time: false, range: (u, min, max) => [0, max > 0 ? max : 1]}},
      axes: [
        {label: 'minutes since start'},
        {label: chart.unit || 'count', size: 64},
      ],
      series: series,
      hooks: {drawClear: [u => drawWarmup(u, chart)]},
    }, data, el);
    return {el: el, plot: u};
  }

  const data = JSON.parse(document.getElementById('plot-data').textContent);
  const drawn = data.series.map((chart, i) => seriesChart(document.getElementById('series-' + i), chart));
  let pending = false;
  window.addEventListener('resize', () => {
    if (pending) {
      return;
    }
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      drawn.forEach(d => d.plot.setSize(size(d.el)));
    });
  });
})();
