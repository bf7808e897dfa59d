// PNG of a chart as people paste it into slides: on white (canvases are transparent), with a
// title line, at the canvas's full device-pixel resolution.
export async function canvasToPng(canvas: HTMLCanvasElement, title: string): Promise<Uint8Array> {
  const titleH = Math.round(28 * (window.devicePixelRatio || 1));
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
