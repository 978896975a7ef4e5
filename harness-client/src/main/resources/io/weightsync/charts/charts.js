// Draws a chart page's uPlot charts from its <script type="application/json" id="plot-data">, written by
// io.weightsync.charts.ChartPage: each of data.percentiles into the element id="percentile-<i>", each of
// data.timelines into id="timeline-<i>". Axes, scales, legend and lines are uPlot's; the update phases of a
// timeline are filled in through uPlot's drawClear hook, so they sit behind the grid and the line.
// An x scale gets min and max as well as range: uPlot fits x to the data at init unless min/max are set.
// Every chart is as wide as its element and follows it when the window is resized.
// A legend value is '' (shown as nothing, see ChartPage's CSS) where it would mean nothing: the cursor off
// the plot, no phase under it.
(function () {
  'use strict';

  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  const MAX_HEIGHT = 320;
  const MIN_HEIGHT = 200;

  // Percentile p (0..100) is drawn at x = 1/(1-p) on a log scale: one decade per "nine".
  const NINES = [1, 10, 100, 1e3, 1e4, 1e5];
  // 50% and 75%, where the axis spans few nines (a small sample) and there is room between 0% and 90%
  const QUARTILES = [2, 4];

  // Update phases in the order they happen, named as io.weightsync.charts.Timeline names them.
  const PHASE_COLORS = {
    'queue': '#d62728',
    'front end': '#ff7f0e',
    'engine load': '#2ca02c',
    'response': '#9467bd',
    'whole update': '#7f7f7f',
  };
  // timeline series: 0 x, 1 throughput, then one legend-only series per phase the timeline uses
  const FIRST_PHASE_SERIES = 2;
  const SPAN_ALPHA = 0.35;
  // a phase is drawn at least this wide (CSS px), so a 2 ms front end on a 60 s axis is still seen;
  // its true length is in the legend
  const MIN_SPAN_PX = 3;
  // gap between two updates' rows (CSS px)
  const LANE_GAP_PX = 2;

  function size(el) {
    const width = Math.max(200, el.clientWidth || 600);
    return {width: width, height: Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, width * 0.5)))};
  }

  // four significant digits, as the harness's tables print histogram values
  function reading(v) {
    return String(+v.toPrecision(4));
  }

  function percentLabel(x) {
    const p = 100 - 100 / x;
    return String(+p.toFixed(p >= 99 ? 3 : 1)) + '%';
  }

  function faded(hex) {
    const n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + SPAN_ALPHA + ')';
  }

  // ticks: the nines up to the end, 50% and 75% when the axis spans at most two nines, and the end itself
  function percentileSplits(end) {
    const splits = NINES.filter(x => x <= end * 1.0001);
    if (end <= 100) {
      splits.push(...QUARTILES.filter(x => x < end / 1.3));
    }
    if (splits.every(x => Math.abs(Math.log10(end / x)) > 0.12)) {
      splits.push(end);
    }
    return splits.sort((a, b) => a - b);
  }

  // The tick labels that fit: from the end (always labelled) leftwards, each at least MIN_LABEL_GAP_PX from
  // the last one kept, so a 420 px screen shows 0%, 90%, 99.9% .. rather than overprinted text.
  const MIN_LABEL_GAP_PX = 46;
  function percentileLabels(u, vals, end) {
    const width = u.bbox.width / uPlot.pxRatio;
    const labels = vals.map(x => x == null ? '' : percentLabel(x));
    if (!(width > 0)) {
      return labels;
    }
    let kept = Infinity;
    for (let i = vals.length - 1; i >= 0; i--) {
      const pos = Math.log(vals[i]) / Math.log(end) * width;
      if (kept - pos < MIN_LABEL_GAP_PX) {
        labels[i] = '';
      } else {
        kept = pos;
      }
    }
    return labels;
  }

  function percentileChart(el, chart) {
    const end = 100 / (100 - chart.endPercentile);
    const joined = uPlot.join(chart.series.map(s => [
      s.points.map(p => Math.min(end, 100 / (100 - p[0]))),
      s.points.map(p => p[1]),
    ]));
    // plotted: values below the floor drawn at it; the legend reads the true ones
    const plotted = chart.floor == null ? joined
        : joined.map((col, i) => i === 0 ? col : col.map(v => v == null ? v : Math.max(v, chart.floor)));
    const unit = chart.unit ? ' ' + chart.unit : '';
    const splits = percentileSplits(end);
    return new uPlot({
      ...size(el),
      // room on the right for the last tick's label, centred on the plot's edge
      padding: [null, 24, null, null],
      scales: {
        x: {time: false, distr: 3, log: 10, min: 1, max: end, range: [1, end]},
        y: chart.logValues ? {distr: 3, log: 10} : {},
      },
      axes: [
        // filter: uPlot's log-axis default keeps only ticks at 1, 2 and 5 x 10^k; these are percentiles
        {label: 'percentile', splits: () => splits, filter: (u, vals) => vals,
          values: (u, vals) => percentileLabels(u, vals, end)},
        {label: chart.unit || 'value', size: 64},
      ],
      series: [
        {label: 'percentile', value: (u, x) => x == null ? '' : percentLabel(x)},
        ...chart.series.map((s, i) => ({
          label: s.label + ' (n=' + s.count + ')',
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: true,
          points: {show: false},
          value: (u, v, si, idx) => idx == null || joined[si][idx] == null ? '' : reading(joined[si][idx]) + unit,
        })),
      ],
    }, plotted, el);
  }

  function laneBox(u, timeline, lane) {
    const {top, height} = u.bbox;
    const gap = LANE_GAP_PX * uPlot.pxRatio;
    const laneHeight = height / timeline.lanes;
    return {y: top + lane * laneHeight + gap / 2, h: Math.max(1, laneHeight - gap)};
  }

  // canvas x of a span's ends, at least MIN_SPAN_PX apart
  function spanBox(u, s) {
    const x0 = u.valToPos(s.startS, 'x', true);
    const x1 = u.valToPos(s.endS, 'x', true);
    return {x: Math.min(x0, x1), w: Math.max(MIN_SPAN_PX * uPlot.pxRatio, Math.abs(x1 - x0))};
  }

  // The span under the cursor (its update's row, its drawn box): its phase's true length, for the legend.
  function phaseAtCursor(u, timeline, phase) {
    if (u.cursor.left == null || u.cursor.left < 0 || u.cursor.top == null || u.cursor.top < 0) {
      return '';
    }
    const cx = u.bbox.left + u.cursor.left * uPlot.pxRatio;
    const cy = u.bbox.top + u.cursor.top * uPlot.pxRatio;
    for (const update of timeline.updates) {
      const lane = laneBox(u, timeline, update.lane);
      if (update.spans.length === 0 || cy < lane.y || cy > lane.y + lane.h) {
        continue;
      }
      for (const s of update.spans) {
        const box = spanBox(u, s);
        if (s.phase === phase && box.x <= cx && cx <= box.x + box.w) {
          return reading((s.endS - s.startS) * 1000) + ' ms (step ' + update.step + (update.ok ? '' : ', failed') + ')';
        }
      }
    }
    return '';
  }

  // Each update in its own row (the plot's height split in timeline.lanes), one band per phase; a phase
  // hidden in the legend is not drawn.
  function drawSpans(u, timeline) {
    const ctx = u.ctx;
    const {left, top, width, height} = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    for (const update of timeline.updates) {
      if (update.spans.length === 0) {
        continue;
      }
      const lane = laneBox(u, timeline, update.lane);
      for (const s of update.spans) {
        const p = timeline.phases.indexOf(s.phase);
        if (p < 0 || !(s.phase in PHASE_COLORS)) {
          throw new Error('update ' + update.trace + ': unknown phase "' + s.phase + '"');
        }
        if (!u.series[FIRST_PHASE_SERIES + p].show) {
          continue;
        }
        const box = spanBox(u, s);
        ctx.fillStyle = faded(PHASE_COLORS[s.phase]);
        ctx.fillRect(box.x, lane.y, box.w, lane.h);
      }
      if (!update.ok) {
        const first = spanBox(u, update.spans[0]);
        const last = spanBox(u, update.spans[update.spans.length - 1]);
        ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
        ctx.lineWidth = uPlot.pxRatio;
        ctx.strokeStyle = '#000';
        ctx.strokeRect(first.x, lane.y, last.x + last.w - first.x, lane.h);
        ctx.setLineDash([]);
      }
    }
    ctx.restore();
  }

  function timelineChart(el, timeline) {
    const xs = timeline.throughput.map(s => s[0]);
    const none = xs.map(() => null);
    const data = [xs, timeline.throughput.map(s => s[1]), ...timeline.phases.map(() => none)];
    return new uPlot({
      ...size(el),
      scales: {
        x: {time: false, min: timeline.startS, max: timeline.endS, range: [timeline.startS, timeline.endS]},
        y: {range: [0, timeline.yMax * 1.05]},
      },
      axes: [
        {label: 'seconds since the first sample'},
        {label: 'tokens/s', size: 64},
      ],
      series: [
        {label: 's', value: (u, x) => x == null ? '' : reading(x) + ' s'},
        {
          label: 'throughput',
          stroke: PALETTE[0],
          width: 2,
          value: (u, v) => v == null ? '' : reading(v) + ' tokens/s',
        },
        // legend entries only: their bands are drawn by drawSpans
        ...timeline.phases.map(name => ({
          label: name,
          stroke: PHASE_COLORS[name],
          fill: faded(PHASE_COLORS[name]),
          width: 1,
          paths: () => null,
          points: {show: false},
          value: u => phaseAtCursor(u, timeline, name),
        })),
      ],
      hooks: {drawClear: [u => drawSpans(u, timeline)]},
    }, data, el);
  }

  const data = JSON.parse(document.getElementById('plot-data').textContent);
  const drawn = [];
  data.percentiles.forEach((chart, i) => {
    const el = document.getElementById('percentile-' + i);
    drawn.push([el, percentileChart(el, chart)]);
  });
  data.timelines.forEach((timeline, i) => {
    const el = document.getElementById('timeline-' + i);
    drawn.push([el, timelineChart(el, timeline)]);
  });
  let pending = false;
  window.addEventListener('resize', () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        drawn.forEach(([el, u]) => u.setSize(size(el)));
      });
    }
  });
})();
