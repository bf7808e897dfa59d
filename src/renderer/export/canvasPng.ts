// PNG of a chart as people paste it into slides: on white (canvases are transparent), with a
// title line, at the canvas's full device-pixel resolution (see renderScale for larger exports).
export async function canvasToPng(canvas: HTMLCanvasElement, title: string): Promise<Uint8Array> {
  // The title grows with the chart: the canvas's device pixels per CSS pixel.
  const scale = canvas.clientWidth > 0 ? canvas.width / canvas.clientWidth : window.devicePixelRatio || 1;
  const titleH = Math.round(28 * scale);
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height + titleH;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#0f172a';
  ctx.font = `600 ${Math.round(titleH * 0.5)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, Math.round(titleH * 0.4), titleH / 2);
  ctx.drawImage(canvas, 0, titleH);
  const blob = await new Promise<Blob | null>((r) => out.toBlob(r, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the chart as PNG');
  return new Uint8Array(await blob.arrayBuffer());
}
