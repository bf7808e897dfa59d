// The app page's Content-Security-Policy, written once. Two front doors serve the same bundled
// renderer — the Electron window (as a response header) and `corescope serve` (as a header on
// its HTML) — and src/renderer/index.html carries it as a meta tag too; a policy loosened in one
// copy and not the others would be a hole nobody sees. The page needs only its own scripts,
// styles, fonts and images (data:/blob: for chart PNGs); the only thing that differs per door is
// what it may connect to: nothing but itself in Electron, serve's own WebSocket in the browser.

export interface CspOptions {
  /** Sources allowed in connect-src besides 'self', e.g. serve's `ws://127.0.0.1:PORT`. */
  connect?: readonly string[];
  /** For a <meta> tag: frame-ancestors is left out, as browsers ignore it there (and warn). */
  metaTag?: boolean;
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    ["connect-src 'self'", ...(options.connect ?? [])].join(' '),
    "base-uri 'none'",
    "form-action 'none'",
    ...(options.metaTag ? [] : ["frame-ancestors 'none'"]),
  ].join('; ');
}
