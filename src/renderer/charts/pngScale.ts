// The scales offered for PNG export, apart from renderScale.ts (which needs Chart.js): the
// choice is on the page before the charts' code has loaded.

/** The scales offered for PNG export, in device pixels per CSS pixel. */
export const PNG_SCALES = [1, 2, 3, 4] as const;
export type PngScale = (typeof PNG_SCALES)[number];

export function isPngScale(x: unknown): x is PngScale {
  return PNG_SCALES.includes(x as PngScale);
}
