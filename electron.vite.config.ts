import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

// electron-vite picks its build targets (Node and Chrome versions) from the installed electron
// package. Where npm dropped that optional package (its binary could not be downloaded), the
// build must still work — the CLI and `corescope serve` need the renderer — so tell it the major
// version the app is built for, from package.json: that is all it reads from the package.
function electronPackageInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('electron/package.json');
    return true;
  } catch {
    return false;
  }
}
if (!process.env.ELECTRON_MAJOR_VER && !electronPackageInstalled()) {
  const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8'));
  const range: string = pkg.optionalDependencies?.electron ?? '';
  const major = /\d+/.exec(range)?.[0];
  if (!major) throw new Error('electron.vite.config.ts: package.json names no electron version in optionalDependencies');
  process.env.ELECTRON_MAJOR_VER = major;
}

// One build for the three Electron targets; the CLI is bundled separately (scripts/build-cli.mjs)
// because it must run on plain Node without Electron installed.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve('src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require npm packages: bundle everything into one CJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
