// Dense cell grids (the core heatmap, the thread lanes) drawn straight into an ImageData in
// device pixels. A colour string and a fillRect per cell cost about a microsecond each (the
// string is parsed on every fillStyle assignment): with 128 cores or 200 threads over a full
// history that was 10^5 cells and hundreds of ms per frame. Writing pixels costs the same for
// any number of cells. Colours come from lookup tables built once.

/** hsl (degrees, %, %) → one ImageData pixel as a little-endian RGBA uint32, opaque. */
export function hslToPixel(h: number, s: number, l: number): number {
  const sat = s / 100;
  const light = l / 100;
  const k = (n: number) => (n + h / 30) % 12;
  const a = sat * Math.min(light, 1 - light);
  const f = (n: number) => light - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  const r = Math.round(f(0) * 255);
  const g = Math.round(f(8) * 255);
  const b = Math.round(f(4) * 255);
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** '#rrggbb' → one ImageData pixel, opaque; remembered, as the same few colours repeat every frame. */
const hexPixels = new Map<string, number>();
export function hexToPixel(hex: string): number {
  let px = hexPixels.get(hex);
  if (px === undefined) {
    const n = Number.parseInt(hex.slice(1, 7), 16);
    px = ((255 << 24) | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0;
    hexPixels.set(hex, px);
  }
  return px;
}

/** An ImageData kept across frames (reallocated only when its size changes) with a uint32 view. */
export class PixelGrid {
  image: ImageData | null = null;
  px = new Uint32Array(0);
  width = 0;
  height = 0;

  /**
   * Sizes the grid (device pixels). Cleared to transparent unless `clear` is false: a caller that
   * writes every pixel line itself (spans and copied lines) skips a pass over the whole image.
   */
  reset(width: number, height: number, clear = true): void {
    width = Math.max(1, Math.round(width));
    height = Math.max(1, Math.round(height));
    if (!this.image || this.width !== width || this.height !== height) {
      this.image = new ImageData(width, height);
      this.px = new Uint32Array(this.image.data.buffer);
      this.width = width;
      this.height = height;
    } else if (clear) this.px.fill(0);
  }

  /** Fills the device-pixel rectangle [x0, x1) × [y0, y1), clipped to the grid. */
  fill(x0: number, y0: number, x1: number, y1: number, color: number): void {
    const xa = Math.max(0, x0);
    const xb = Math.min(this.width, x1);
    const ya = Math.max(0, y0);
    const yb = Math.min(this.height, y1);
    if (xa >= xb) return;
    for (let y = ya; y < yb; y++) this.px.fill(color, y * this.width + xa, y * this.width + xb);
  }

  /** Fills [x0, x1) of line y (device pixels), clipped to the grid. */
  span(y: number, x0: number, x1: number, color: number): void {
    if (y < 0 || y >= this.height) return;
    const xa = Math.max(0, x0);
    const xb = Math.min(this.width, x1);
    if (xa >= xb) return;
    const px = this.px;
    const end = y * this.width + xb;
    // Cells are mostly a few pixels wide: a loop beats a fill() call (~10× for 1–4 pixels).
    if (xb - xa > 32) px.fill(color, end - (xb - xa), end);
    else for (let i = end - (xb - xa); i < end; i++) px[i] = color;
  }

  /** Copies line `from` onto lines [y0, y1): bands of equal rows cost one span per cell, not one per line. */
  copyLine(from: number, y0: number, y1: number): void {
    if (from < 0 || from >= this.height) return;
    const w = this.width;
    for (let y = Math.max(0, y0); y < Math.min(this.height, y1); y++) this.px.copyWithin(y * w, from * w, from * w + w);
  }

  /** Clears whole lines [y0, y1). */
  clearLines(y0: number, y1: number): void {
    const a = Math.max(0, y0);
    const b = Math.min(this.height, y1);
    if (a < b) this.px.fill(0, a * this.width, b * this.width);
  }

  put(ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, dx: number, dy: number): void {
    if (this.image) ctx.putImageData(this.image, Math.round(dx), Math.round(dy));
  }
}
