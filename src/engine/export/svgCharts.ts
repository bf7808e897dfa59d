// Charts drawn as inline SVG strings for the HTML reports: no library, no script, no request.
// Every piece of text that comes from a session goes through esc().
import type { RunSamples, WorkloadEvent } from '../../shared/types';
import type { AmdahlFit, SweepPoint } from '../../shared/sweep';

export const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const COLORS = { user: '#2563eb', system: '#f97316', iowait: '#a3a3a3', workload: '#16a34a', machine: '#64748b', ideal: '#94a3b8' };
export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

const f1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Averages a column into at most `max` buckets (index ranges), so big runs stay small files. */
function buckets(n: number, max: number): [number, number][] {
  const k = Math.max(1, Math.ceil(n / max));
  const out: [number, number][] = [];
  for (let i = 0; i < n; i += k) out.push([i, Math.min(n, i + k)]);
  return out;
}
const avg = (col: number[], [a, b]: [number, number]): number => {
  let s = 0;
  let m = 0;
  for (let i = a; i < b; i++) {
    const x = col[i];
    if (Number.isFinite(x)) {
      s += x;
      m++;
    }
  }
  return m ? s / m : 0;
};

function timeAxis(x0: number, x1: number, y: number, tMax: number): string {
  const parts: string[] = [];
  const stepS = niceStep(tMax / 1000 / 6);
  for (let t = 0; t <= tMax / 1000 + 1e-9; t += stepS) {
    const x = x0 + ((t * 1000) / (tMax || 1)) * (x1 - x0);
    parts.push(`<line x1="${f1(x)}" y1="${y}" x2="${f1(x)}" y2="${y + 4}" stroke="#475569"/>`);
    parts.push(`<text x="${f1(x)}" y="${y + 16}" text-anchor="middle" class="tick">${esc(`${+t.toFixed(2)} s`)}</text>`);
  }
  return parts.join('');
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** Stacked user/system/iowait area per core, one lane each, over the run's time. */
export function coreLanesSvg(s: RunSamples, width = 920): string {
  const lane = s.coreCount > 16 ? 14 : 34;
  const left = 56;
  const right = width - 10;
  const top = 8;
  const h = top + s.coreCount * (lane + 4) + 26;
  const tMax = s.t.length ? s.t[s.t.length - 1] : 1;
  const bs = buckets(s.t.length, 400);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="core-lanes" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="Per-core utilisation over time">`];
  const x = (t: number): number => left + (t / (tMax || 1)) * (right - left);
  for (let c = 0; c < s.coreCount; c++) {
    const y0 = top + c * (lane + 4);
    const base = y0 + lane;
    parts.push(`<rect x="${left}" y="${y0}" width="${right - left}" height="${lane}" fill="#f1f5f9"/>`);
    parts.push(`<text x="${left - 6}" y="${y0 + lane / 2 + 4}" text-anchor="end" class="tick">cpu${c}</text>`);
    if (!bs.length) continue;
    // Three stacked layers: user, user+system, user+system+iowait.
    const layers: [string, (i: [number, number]) => number][] = [
      [COLORS.iowait, (b) => avg(s.coreUser[c], b) + avg(s.coreSystem[c], b) + avg(s.coreIowait[c], b)],
      [COLORS.system, (b) => avg(s.coreUser[c], b) + avg(s.coreSystem[c], b)],
      [COLORS.user, (b) => avg(s.coreUser[c], b)],
    ];
    for (const [color, val] of layers) {
      const pts = bs.map((b) => `${f1(x(s.t[b[1] - 1]))},${f1(base - Math.min(1, val(b)) * lane)}`);
      const d = `M${f1(x(s.t[bs[0][0]]))},${base} L${pts.join(' L')} L${f1(x(s.t[bs[bs.length - 1][1] - 1]))},${base} Z`;
      parts.push(`<path d="${d}" fill="${color}" stroke="none"/>`);
    }
  }
  parts.push(timeAxis(left, right, top + s.coreCount * (lane + 4), tMax));
  parts.push('</svg>');
  return parts.join('');
}

/** The workload's cores' worth of CPU and the whole machine's, against the core count. */
export function coresBusySvg(s: RunSamples, width = 920): string {
  const left = 56;
  const right = width - 10;
  const top = 10;
  const ph = 150;
  const h = top + ph + 28;
  const tMax = s.t.length ? s.t[s.t.length - 1] : 1;
  const yMax = s.coreCount;
  const x = (t: number): number => left + (t / (tMax || 1)) * (right - left);
  const y = (v: number): number => top + ph - (Math.min(v, yMax) / (yMax || 1)) * ph;
  const bs = buckets(s.t.length, 400);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="cores-busy" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="Cores busy over time">`];
  parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${ph}" fill="#f8fafc" stroke="#cbd5e1"/>`);
  const step = niceStep(yMax / 4);
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    parts.push(`<line x1="${left}" y1="${f1(y(v))}" x2="${right}" y2="${f1(y(v))}" stroke="#e2e8f0"/><text x="${left - 6}" y="${f1(y(v) + 4)}" text-anchor="end" class="tick">${+v.toFixed(2)}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${f1(y(yMax))}" x2="${right}" y2="${f1(y(yMax))}" stroke="#0f172a" stroke-dasharray="6 4"/><text x="${right - 4}" y="${f1(y(yMax) + 14)}" text-anchor="end" class="tick">${yMax} cores</text>`);
  if (bs.length) {
    const machine = bs.map((b) => {
      let sum = 0;
      for (let c = 0; c < s.coreCount; c++) sum += avg(s.coreUser[c], b) + avg(s.coreSystem[c], b);
      return `${f1(x(s.t[b[1] - 1]))},${f1(y(sum))}`;
    });
    parts.push(`<path d="M${machine.join(' L')}" fill="none" stroke="${COLORS.machine}" stroke-width="1.5" stroke-dasharray="3 2"/>`);
    const work = bs.map((b) => `${f1(x(s.t[b[1] - 1]))},${f1(y(avg(s.workloadCores, b)))}`);
    parts.push(`<path d="M${f1(x(s.t[bs[0][0]]))},${f1(y(0))} L${work.join(' L')} L${f1(x(s.t[bs[bs.length - 1][1] - 1]))},${f1(y(0))} Z" fill="${COLORS.workload}" fill-opacity="0.25" stroke="none"/>`);
    parts.push(`<path d="M${work.join(' L')}" fill="none" stroke="${COLORS.workload}" stroke-width="2"/>`);
  }
  parts.push(timeAxis(left, right, top + ph, tMax));
  parts.push('</svg>');
  return parts.join('');
}

/** One lane per thread (busiest first, at most `maxThreads`): shade = CPU share; task spans under it. */
export function threadLanesSvg(s: RunSamples, events: WorkloadEvent[], width = 920, maxThreads = 24): string {
  const order = s.threads
    .map((th, k) => ({ th, k, total: s.threadCpu[k].reduce((a, x) => a + (Number.isFinite(x) ? x : 0), 0) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, maxThreads);
  const left = 230;
  const right = width - 10;
  const lane = 16;
  const top = 6;
  const h = top + order.length * (lane + 3) + 26;
  const tMax = s.t.length ? s.t[s.t.length - 1] : 1;
  const x = (t: number): number => left + (Math.max(0, t) / (tMax || 1)) * (right - left);
  const bs = buckets(s.t.length, 300);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="thread-lanes" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="CPU per thread over time">`];
  order.forEach(({ th, k }, row) => {
    const y0 = top + row * (lane + 3);
    parts.push(`<rect x="${left}" y="${y0}" width="${right - left}" height="${lane}" fill="#f1f5f9"/>`);
    const label = `${th.name.length > 14 ? `${th.name.slice(0, 13)}…` : th.name} ${th.tid} · ${th.role}`;
    parts.push(`<text x="${left - 6}" y="${y0 + 12}" text-anchor="end" class="tick">${esc(label)}</text>`);
    for (const b of bs) {
      const v = avg(s.threadCpu[k], b);
      if (v < 0.01) continue;
      const xa = x(b[0] > 0 ? s.t[b[0] - 1] : s.t[b[0]]);
      const xb = x(s.t[b[1] - 1]);
      parts.push(`<rect x="${f1(xa)}" y="${y0}" width="${f1(Math.max(0.8, xb - xa))}" height="${lane}" fill="${COLORS.user}" fill-opacity="${(0.15 + 0.85 * Math.min(1, v)).toFixed(2)}"/>`);
    }
    // Task spans reported by this thread, as a thin bar along its bottom edge.
    const open = new Map<string, number>();
    for (const e of events) {
      if ((e.kind !== 'task-start' && e.kind !== 'task-end') || (e.tid ?? e.pid) !== th.tid) continue;
      if (e.kind === 'task-start') open.set(e.task, e.t);
      else if (open.has(e.task)) {
        const a = open.get(e.task)!;
        open.delete(e.task);
        parts.push(`<rect x="${f1(x(a))}" y="${y0 + lane - 3}" width="${f1(Math.max(1, x(e.t) - x(a)))}" height="3" fill="#0f172a"/>`);
      }
    }
  });
  parts.push(timeAxis(left, right, top + order.length * (lane + 3), tMax));
  parts.push('</svg>');
  return parts.join('');
}

export interface SpeedupSeries {
  label: string;
  color: string;
  logicalCores: number;
  points: SweepPoint[];
  fit?: AmdahlFit | null;
}

/**
 * Speedup (or share of the machine's logical cores used) against task count: measured points
 * with their spread across repeats, the ideal line, the Amdahl fit, and each machine's core count.
 */
export function speedupSvg(series: SpeedupSeries[], mode: 'speedup' | 'share' = 'speedup', width = 460): string {
  const left = 50;
  const right = width - 16;
  const top = 14;
  const ph = 250;
  const h = top + ph + 58;
  const xMax = Math.max(2, ...series.flatMap((s) => [...s.points.map((p) => p.tasks), s.logicalCores]));
  const yMaxRaw =
    mode === 'share'
      ? 1
      : Math.max(2, ...series.flatMap((s) => s.points.map((p) => p.speedup?.max ?? 0)), Math.min(xMax, Math.max(...series.map((s) => s.logicalCores))));
  const yMax = mode === 'share' ? 1 : Math.ceil(yMaxRaw * 1.1);
  const x = (n: number): number => left + ((n - 1) / (xMax - 1)) * (right - left);
  const y = (v: number): number => top + ph - (Math.min(v, yMax) / yMax) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${mode === 'share' ? 'core-share' : 'speedup'}" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="${mode === 'share' ? 'Share of logical cores used' : 'Speedup'} against task count">`,
    `<rect x="${left}" y="${top}" width="${right - left}" height="${ph}" fill="#f8fafc" stroke="#cbd5e1"/>`,
  ];
  const ys = mode === 'share' ? 0.25 : niceStep(yMax / 5);
  for (let v = 0; v <= yMax + 1e-9; v += ys) {
    parts.push(`<line x1="${left}" y1="${f1(y(v))}" x2="${right}" y2="${f1(y(v))}" stroke="#e2e8f0"/><text x="${left - 6}" y="${f1(y(v) + 4)}" text-anchor="end" class="tick">${mode === 'share' ? `${Math.round(v * 100)}%` : `${+v.toFixed(2)}×`}</text>`);
  }
  const xs = niceStep((xMax - 1) / 8);
  const ticks = new Set<number>([1]);
  for (let n = xs; n <= xMax; n += xs) ticks.add(Math.round(n));
  for (const n of ticks) parts.push(`<text x="${f1(x(n))}" y="${top + ph + 16}" text-anchor="middle" class="tick">${n}</text>`);
  parts.push(`<text x="${(left + right) / 2}" y="${top + ph + 32}" text-anchor="middle" class="tick">tasks</text>`);
  // Ideal: speedup = n, or every task a full core (share = n / cores) — for the first machine.
  if (mode === 'speedup') {
    parts.push(`<path d="M${f1(x(1))},${f1(y(1))} L${f1(x(xMax))},${f1(y(xMax))}" stroke="${COLORS.ideal}" stroke-dasharray="6 4" fill="none"/>`);
    parts.push(`<text x="${f1(x(Math.min(xMax, yMax / 1.1)) - 4)}" y="${f1(y(Math.min(xMax, yMax / 1.1)) + 14)}" text-anchor="end" class="tick">ideal</text>`);
  }
  series.forEach((s, k) => {
    // The machine's core count.
    if (s.logicalCores >= 1 && s.logicalCores <= xMax) {
      const cx = x(s.logicalCores);
      parts.push(`<line x1="${f1(cx)}" y1="${top}" x2="${f1(cx)}" y2="${top + ph}" stroke="${s.color}" stroke-dasharray="2 3"/>`);
      const nearRight = cx > right - 60;
      parts.push(`<text x="${f1(nearRight ? cx - 4 : cx + 4)}" y="${top + 12 + k * 12}" text-anchor="${nearRight ? 'end' : 'start'}" class="tick" fill="${s.color}">${esc(series.length > 1 ? `${s.label}: ${s.logicalCores} cores` : `${s.logicalCores} cores`)}</text>`);
    }
    if (mode === 'speedup' && s.fit) {
      const d = s.fit.curve.filter((c) => c.tasks <= xMax).map((c) => `${f1(x(c.tasks))},${f1(y(c.speedup))}`);
      if (d.length > 1) parts.push(`<path d="M${d.join(' L')}" stroke="${s.color}" stroke-width="1.5" stroke-dasharray="1 3" fill="none"/>`);
    }
    const val = (p: SweepPoint): number | null => (mode === 'share' ? p.coreShare : (p.speedup?.mean ?? null));
    const pts = s.points.filter((p) => val(p) !== null);
    if (pts.length > 1) parts.push(`<path d="M${pts.map((p) => `${f1(x(p.tasks))},${f1(y(val(p)!))}`).join(' L')}" stroke="${s.color}" stroke-width="2" fill="none"/>`);
    for (const p of pts) {
      if (mode === 'speedup' && p.speedup && p.speedup.max - p.speedup.min > 0.005) {
        parts.push(`<path d="M${f1(x(p.tasks))},${f1(y(p.speedup.min))} L${f1(x(p.tasks))},${f1(y(p.speedup.max))}" stroke="${s.color}" stroke-width="1.5"/>`);
      }
      parts.push(`<circle cx="${f1(x(p.tasks))}" cy="${f1(y(val(p)!))}" r="3.5" fill="${s.color}"><title>${esc(`${s.label}: ${p.tasks} tasks → ${mode === 'share' ? `${Math.round(p.coreShare * 100)}% of cores` : `${p.speedup?.mean.toFixed(2)}×`}`)}</title></circle>`);
    }
  });
  // Legend.
  series.forEach((s, k) => {
    const lx = left + k * 150;
    parts.push(`<rect x="${lx}" y="${top + ph + 42}" width="12" height="4" fill="${s.color}"/><text x="${lx + 16}" y="${top + ph + 48}" class="tick">${esc(s.label.slice(0, 24))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
