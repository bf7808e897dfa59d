// A count with thousands separators ("12,345"), for notes that name how many of something.
//
// Not toLocaleString: its first call in a process loads ICU's locale data, ~10 ms of CPU that
// every run paid at its end for a note that usually is not even shown.

export function countText(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const [whole, frac] = String(Math.abs(n)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + grouped + (frac === undefined ? '' : `.${frac}`);
}
