// PNG of a chart as people paste it into slides: on white (canvases are transparent), with a
// title line naming the chart and the run, and a legend line for charts whose colours the page
// explains around them (a slide has no page around it), at the canvas's full device-pixel
// resolution (see renderScale for larger exports).
export interface LegendItem {
  color: string;
  label: string;
}

export async function canvasToPng(canvas: HTMLCanvasElement, title: string, legend: LegendItem[] = []): Promise<Uint8Array> {
  // The title grows with the chart: the canvas's device pixels per CSS pixel.
  const scale = canvas.clientWidth > 0 ? canvas.width / canvas.clientWidth : window.devicePixelRatio || 1;
  const titleH = Math.round(28 * scale);
  const legendH = legend.length ? Math.round(18 * scale) : 0;
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height + titleH + legendH;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#0f172a';
  ctx.font = `600 ${Math.round(titleH * 0.5)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, Math.round(titleH * 0.4), titleH / 2);
  if (legend.length) {
    ctx.font = `${Math.round(11 * scale)}px system-ui, sans-serif`;
    let x = Math.round(titleH * 0.4);
    const y = titleH + legendH / 2;
    for (const item of legend) {
      ctx.fillStyle = item.color;
      ctx.fillRect(x, y - 5 * scale, 12 * scale, 10 * scale);
      ctx.fillStyle = '#334155';
      ctx.fillText(item.label, x + 16 * scale, y);
      x += 16 * scale + ctx.measureText(item.label).width + 14 * scale;
    }
  }
  ctx.drawImage(canvas, 0, titleH + legendH);
  const blob = await new Promise<Blob | null>((r) => out.toBlob(r, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the chart as PNG');
  return new Uint8Array(await blob.arrayBuffer());
}
