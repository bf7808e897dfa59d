// Live charts redraw ten times a second, but their axes change far less often (the live window
// grows in steps, see layout.ts liveWindow). Chart.js's update() lays the chart out and builds
// ticks again; render() only draws what is laid out. So a chart whose data is painted by its own
// plugin is updated only when an axis limit changed, and otherwise just redrawn.
import type { Chart } from 'chart.js';

const applied = new WeakMap<Chart, string>();

export function refreshChart(chart: Chart, limits: { xMin: number; xMax: number; yMax: number }): void {
  const key = `${limits.xMin} ${limits.xMax} ${limits.yMax} ${chart.width}x${chart.height}`;
  if (applied.get(chart) === key) {
    chart.render();
    return;
  }
  const s = chart.options.scales!;
  s.x!.min = limits.xMin;
  s.x!.max = limits.xMax;
  s.y!.max = limits.yMax;
  chart.update('none');
  applied.set(chart, key);
}
