/* global window */
// Injected into the page before the renderer loads (page.addInitScript). It changes nothing the
// renderer does; it only watches:
//  - every WebSocket 'message' listener is wrapped: for a live batch it records when the page got
//    it (Date.now(), to compare with the server's send time), the batch's fromIndex, and how long
//    the renderer's handler took (JSON.parse + App.onEvent → SeriesStore.addBatch + cards). A batch
//    counts as applied when that handler returned without throwing.
//  - requestAnimationFrame is wrapped so the time the renderer's own rAF callbacks (the chart
//    redraws) take is known per frame.
//  - a frame loop (started by the bench) records, per frame, when its rAF callbacks started and
//    when the first task after that frame's rendering ran (a MessageChannel message posted from
//    the frame's first rAF callback): that span is the frame's main-thread time — the renderer's
//    rAF work plus style, layout and paint.
//  - long tasks and long animation frames (PerformanceObserver).
// Everything is kept in preallocated typed arrays so the probe itself does not grow the heap.
(() => {
  const CAP = 1 << 17;
  const LIVE_PREFIX = '{"event":{"type":"live"';
  const B = {
    live: 0,
    liveErrors: 0,
    otherMessages: 0,
    hIndex: new Float64Array(CAP),
    hWall: new Float64Array(CAP),
    hMs: new Float64Array(CAP),
    renders: 0,
    renderMs: 0,
    recording: false,
    frames: 0,
    fStart: new Float64Array(CAP),
    fEnd: new Float64Array(CAP),
    fRender: new Float64Array(CAP),
    longTasks: [],
    loafs: [],
  };
  Object.defineProperty(window, '__bench', { value: B, enumerable: false });

  const origAdd = WebSocket.prototype.addEventListener;
  WebSocket.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'message' || typeof listener !== 'function') return origAdd.call(this, type, listener, options);
    const wrapped = function (ev) {
      const d = ev.data;
      if (typeof d !== 'string' || !d.startsWith(LIVE_PREFIX)) {
        B.otherMessages++;
        return listener.call(this, ev);
      }
      const wall = Date.now();
      const t0 = performance.now();
      try {
        listener.call(this, ev);
      } catch (e) {
        B.liveErrors++;
        throw e;
      }
      const ms = performance.now() - t0;
      const m = /"fromIndex":(\d+)/.exec(d.slice(0, 300));
      const k = B.live++ % CAP;
      B.hIndex[k] = m ? Number(m[1]) : -1;
      B.hWall[k] = wall;
      B.hMs[k] = ms;
    };
    return origAdd.call(this, type, wrapped, options);
  };

  const origRaf = window.requestAnimationFrame.bind(window);
  let current = -1;
  window.requestAnimationFrame = function (cb) {
    return origRaf((ts) => {
      const t0 = performance.now();
      try {
        cb(ts);
      } finally {
        const d = performance.now() - t0;
        B.renders++;
        B.renderMs += d;
        if (B.recording && current >= 0) B.fRender[current] += d;
      }
    });
  };

  const channel = new MessageChannel();
  channel.port1.onmessage = (e) => {
    B.fEnd[e.data] = performance.now();
  };
  const loop = () => {
    if (!B.recording) return;
    if (B.frames >= CAP) {
      B.recording = false;
      return;
    }
    const i = B.frames++;
    current = i;
    B.fStart[i] = performance.now();
    B.fRender[i] = 0;
    B.fEnd[i] = NaN;
    channel.port2.postMessage(i);
    origRaf(loop);
  };
  B.startFrames = () => {
    B.frames = 0;
    B.longTasks.length = 0;
    B.loafs.length = 0;
    B.recording = true;
    origRaf(loop);
  };
  B.stopFrames = () => {
    B.recording = false;
    current = -1;
  };

  try {
    new PerformanceObserver((list) => {
      if (!B.recording) return;
      for (const e of list.getEntries()) B.longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  } catch {
    B.longTasksUnsupported = true;
  }
  try {
    new PerformanceObserver((list) => {
      if (!B.recording) return;
      for (const e of list.getEntries()) B.loafs.push({ duration: e.duration, blocking: e.blockingDuration, render: e.duration - (e.renderStart ? e.renderStart - e.startTime : e.duration) });
    }).observe({ type: 'long-animation-frame' });
  } catch {
    B.loafUnsupported = true;
  }
})();
