// Bundles the headless CLI (and the engine it drives) for plain Node, without Electron.
import { build } from 'esbuild';

await build({
  entryPoints: { index: 'src/cli/index.ts' },
  outdir: 'out/cli',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
