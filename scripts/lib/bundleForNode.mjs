// The benches run parts of CoreScope (TypeScript) in Node processes of their own: each part is
// bundled with esbuild into an ES module beside the bench's temp files. One set of options for
// every bench, so they all run the code the same way.
import { join } from 'node:path';
import { build, stop } from 'esbuild';

/** Bundles `entryPoints` ({ name: file.ts }) into `outdir`; returns { name: path of name.mjs }. */
export async function bundleForNode(entryPoints, outdir, { external = [] } = {}) {
  await build({
    entryPoints,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    logLevel: 'warning',
    outdir,
    outExtension: { '.js': '.mjs' },
    external,
    // Bundled CommonJS dependencies (systeminformation…) need a real require in an ES module.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  });
  // esbuild keeps a service process for later builds; end it, or the bench would not exit.
  await stop();
  return Object.fromEntries(Object.keys(entryPoints).map((name) => [name, join(outdir, `${name}.mjs`)]));
}
