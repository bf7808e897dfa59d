// `corescope list`: the scenario catalog.
import { COMPARE_PRESETS, SCENARIOS } from '../../shared/scenarios';

export async function listCommand(opts: { json?: boolean }): Promise<number> {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ scenarios: SCENARIOS, comparePresets: COMPARE_PRESETS }, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const runtime of ['python', 'node', 'custom'] as const) {
    lines.push(`${runtime.toUpperCase()}`);
    for (const s of SCENARIOS.filter((x) => x.runtime === runtime)) {
      lines.push(`  ${s.id.padEnd(22)} ${s.title}  [expect: ${s.expectedVerdict}]`);
      for (const p of s.params) {
        const range = p.kind === 'enum' ? (p.choices ?? []).join('|') : p.kind === 'bool' ? 'true|false' : `${p.min ?? ''}..${p.max ?? ''}`;
        lines.push(`      --${p.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).padEnd(16)} ${String(p.default).padEnd(8)} ${range.padEnd(14)} ${p.help}`);
      }
    }
  }
  lines.push('COMPARISONS (corescope compare <id>)');
  for (const c of COMPARE_PRESETS) lines.push(`  ${c.id.padEnd(28)} ${c.title}: ${c.a} vs ${c.b}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
