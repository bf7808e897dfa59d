// The benches run CoreScope from bundles in a temp folder, where the native sampler's addon is
// not found by looking upwards from the module: they name it, so they measure the sampler the CLI
// uses (native where `npm install` built it). Without a build, nothing is set: the run then says
// in its fidelity that the JavaScript sampler measured.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NATIVE_ADDON = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'Release', 'corescope_sampler.node');

export function nativeAddonEnv() {
  return existsSync(NATIVE_ADDON) ? { CORESCOPE_SAMPLER: 'native', CORESCOPE_SAMPLER_ADDON: NATIVE_ADDON } : {};
}
