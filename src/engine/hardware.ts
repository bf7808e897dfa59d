// The machine's hardware profile, for session files and comparisons between machines.
import { hostname } from 'node:os';
import si from 'systeminformation';
import type { HardwareProfile } from '../shared/types';

let cached: Promise<HardwareProfile> | null = null;

export function hardwareProfile(): Promise<HardwareProfile> {
  cached ??= readProfile();
  return cached;
}

async function readProfile(): Promise<HardwareProfile> {
  const [cpu, cache, mem, os] = await Promise.all([si.cpu(), si.cpuCache(), si.mem(), si.osInfo()]);
  return {
    cpu: {
      brand: cpu.brand,
      manufacturer: cpu.manufacturer,
      physicalCores: cpu.physicalCores,
      logicalCores: cpu.cores,
      speedGHz: cpu.speed,
      speedMaxGHz: cpu.speedMax || cpu.speed,
      cacheKiB: {
        l1d: Math.round((cache.l1d || 0) / 1024),
        l1i: Math.round((cache.l1i || 0) / 1024),
        l2: Math.round((cache.l2 || 0) / 1024),
        l3: Math.round((cache.l3 || 0) / 1024),
      },
    },
    memoryBytes: mem.total,
    os: { platform: os.platform, distro: `${os.distro} ${os.release}`.trim(), release: os.release, kernel: os.kernel, arch: os.arch },
    hostname: hostname(),
  };
}
