// Draws a chart page's uPlot charts from its <script type="application/json" id="plot-data">, written by
// io.weightsync.charts.ChartPage: each of data.percentiles into the element id="percentile-<i>", each of
// data.timelines into id="timeline-<i>". Axes, scales, legend and lines are uPlot's; the update phases of a
// timeline are filled in through uPlot's drawClear hook, so they sit behind the grid and the line.
// An x scale gets min and max as well as range: uPlot fits x to the data at init unless min/max are set.
(function () {
  'use strict';

  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  const HEIGHT = 320;

  // Percentile p (0..100) is drawn at x = 1/(1-p) on a log scale: one decade per "nine".
  const NINES = [1, 10, 100, 1e3, 1e4, 1e5];
  const NINE_LABELS = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%'];

  // Update phases in the order they happen, named as io.weightsync.charts.Timeline names them.
  const PHASES = [
    {name: 'queue', color: '#d62728'},
    {name: 'front end', color: '#ff7f0e'},
    {name: 'engine load', color: '#2ca02c'},
    {name: 'response', color: '#9467bd'},
    {name: 'whole update', color: '#7f7f7f'},
  ];
  // timeline series: 0 x, 1 throughput, then one legend-only series per phase
  const FIRST_PHASE_SERIES = 2;
  const SPAN_ALPHA = 0.3;

  function chartWidth(el) {
    return Math.max(480, Math.min(960, el.clientWidth || 960));
  }

  // four significant digits, as the harness's tables print histogram values
  function reading(v) {
    return String(+v.toPrecision(4));
  }

  function faded(hex) {
    const n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + SPAN_ALPHA + ')';
  }

  function percentileChart(el, chart) {
    const lastNine = NINES[NINES.length - 1];
    const tables = chart.series.map(s => [
      s.points.map(p => Math.min(lastNine, 100 / (100 - p[0]))),
      s.points.map(p => p[1]),
    ]);
    const unit = chart.unit ? ' ' + chart.unit : '';
    return new uPlot({
      width: chartWidth(el),
      height: HEIGHT,
      scales: {
        x: {time: false, distr: 3, log: 10, min: NINES[0], max: lastNine, range: [NINES[0], lastNine]},
        y: chart.logValues ? {distr: 3, log: 10} : {},
      },
      axes: [
        {label: 'percentile', splits: () => NINES, values: () => NINE_LABELS},
        {label: chart.unit || 'value', size: 70},
      ],
      series: [
        {label: 'percentile', value: (u, x) => x == null ? '-' : +(100 - 100 / x).toFixed(4) + '%'},
        ...chart.series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: true,
          points: {show: false},
          value: (u, v) => v == null ? '-' : reading(v) + unit,
        })),
      ],
    }, uPlot.join(tables), el);
  }

  // The update whose span of this phase is under the cursor: that span's length, for the legend.
  function phaseAtCursor(u, timeline, phase) {
    if (u.cursor.left == null || u.cursor.left < 0) {
      return null;
    }
    const x = u.posToVal(u.cursor.left, 'x');
    for (const update of timeline.updates) {
      for (const s of update.spans) {
        if (s.phase === phase && s.startS <= x && x <= s.endS) {
          return reading((s.endS - s.startS) * 1000) + ' ms (step ' + update.step + (update.ok ? '' : ', failed') + ')';
        }
      }
    }
    return null;
  }

  // Each update in its lane (the plot's height split in timeline.lanes), one band per phase; a phase
  // hidden in the legend is not drawn.
  function drawSpans(u, timeline) {
    const ctx = u.ctx;
    const {left, top, width, height} = u.bbox;
    const laneHeight = height / timeline.lanes;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    for (const update of timeline.updates) {
      if (update.spans.length === 0) {
        continue;
      }
      const y = top + update.lane * laneHeight;
      for (const s of update.spans) {
        const p = PHASES.findIndex(ph => ph.name === s.phase);
        if (p < 0) {
          throw new Error('update ' + update.trace + ': unknown phase "' + s.phase + '"');
        }
        if (!u.series[FIRST_PHASE_SERIES + p].show) {
          continue;
        }
        const x0 = u.valToPos(s.startS, 'x', true);
        const x1 = u.valToPos(s.endS, 'x', true);
        ctx.fillStyle = faded(PHASES[p].color);
        ctx.fillRect(Math.min(x0, x1), y, Math.max(1, Math.abs(x1 - x0)), laneHeight);
      }
      if (!update.ok) {
        const x0 = u.valToPos(update.spans[0].startS, 'x', true);
        const x1 = u.valToPos(update.spans[update.spans.length - 1].endS, 'x', true);
        ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
        ctx.lineWidth = uPlot.pxRatio;
        ctx.strokeStyle = '#000';
        ctx.strokeRect(x0, y, x1 - x0, laneHeight);
        ctx.setLineDash([]);
      }
    }
    ctx.restore();
  }

  function timelineChart(el, timeline) {
    const xs = timeline.throughput.map(s => s[0]);
    const none = xs.map(() => null);
    const data = [xs, timeline.throughput.map(s => s[1]), ...PHASES.map(() => none)];
    return new uPlot({
      width: chartWidth(el),
      height: HEIGHT,
      scales: {x: {time: false, min: timeline.startS, max: timeline.endS, range: [timeline.startS, timeline.endS]}},
      axes: [
        {label: 'seconds since the first throughput sample'},
        {label: 'tokens/s', size: 70},
      ],
      series: [
        {label: 's', value: (u, x) => x == null ? '-' : reading(x)},
        {
          label: 'throughput',
          stroke: PALETTE[0],
          width: 2,
          value: (u, v) => v == null ? '-' : reading(v) + ' tokens/s',
        },
        // legend entries only: their bands are drawn by drawSpans
        ...PHASES.map(ph => ({
          label: ph.name,
          stroke: ph.color,
          fill: faded(ph.color),
          width: 1,
          paths: () => null,
          points: {show: false},
          value: u => phaseAtCursor(u, timeline, ph.name),
        })),
      ],
      hooks: {drawClear: [u => drawSpans(u, timeline)]},
    }, data, el);
  }

  const data = JSON.parse(document.getElementById('plot-data').textContent);
  data.percentiles.forEach((chart, i) => percentileChart(document.getElementById('percentile-' + i), chart));
  data.timelines.forEach((timeline, i) => timelineChart(document.getElementById('timeline-' + i), timeline));
})();
