#!/usr/bin/env node
// Smoke test of `npm start` as a newcomer runs it on a machine with no display and no Electron
// binary: start it exactly as the README says, wait for the URL it prints, load the page, make
// one API call over the WebSocket with the page's token, press "Ctrl-C" (SIGINT to the whole
// process group, as a terminal does), and check that no process of it is left.
//
//   node scripts/smoke-start.mjs [--dir DIR] [--timeout S] [-- extra args for npm start]
//
// Run by .ci/run on its clean clone (before `npm test`) and by test/integration/startFallback.test.ts.
// Prints one line per step; exits 0 when every step held, 1 (naming the step) otherwise.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { statField } from './lib/procStat.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const dashDash = argv.indexOf('--');
const own = dashDash >= 0 ? argv.slice(0, dashDash) : argv;
const extra = dashDash >= 0 ? argv.slice(dashDash + 1) : [];
const optionValue = (name, fallback) => (own.includes(name) ? own[own.indexOf(name) + 1] : fallback);
const dir = resolve(optionValue('--dir', ROOT));
const timeoutMs = Number(optionValue('--timeout', '180')) * 1000;

const say = (line) => process.stdout.write(`smoke: ${line}\n`);
function fail(step, detail) {
  process.stdout.write(`smoke: FAILED at ${step}: ${detail}\n`);
  process.exitCode = 1;
}

/**
 * Live processes left by the start: every one in session `sid` (npm was started in a session of
 * its own), and any that left that session but inherited our marker in its environment.
 */
function leftovers(sid, marker) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // proc(5): 3 state, 6 session.
      if (statField(stat, 3) === 'Z') continue;
      const marked = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(marker);
      if (Number(statField(stat, 6)) === sid || marked) found.push({ pid: Number(name), cmd: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() });
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return found;
}

async function main() {
  // No display (the URL is printed), and only what a user's shell would pass on.
  // The marker finds any descendant that left the session (setsid, a detached browser).
  const marker = `CORESCOPE_SMOKE_MARK=${process.pid}-${Date.now()}`;
  const env = { ...process.env, CORESCOPE_SMOKE_MARK: marker.split('=')[1] };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const npm = spawn('npm', ['start', ...(extra.length ? ['--', ...extra] : [])], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const sid = npm.pid;
  let out = '';
  npm.stdout.on('data', (d) => (out += d));
  npm.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => npm.on('exit', (code, signal) => r({ code, signal })));
  say(`started \`npm start${extra.length ? ` -- ${extra.join(' ')}` : ''}\` in ${dir} (pid ${sid})`);

  const deadline = Date.now() + timeoutMs;
  let url = null;
  while (!url && Date.now() < deadline && npm.exitCode === null) {
    url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out)?.[1] ?? null;
    if (!url) await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) {
    fail('waiting for the URL', `none printed in ${timeoutMs / 1000} s (exit ${npm.exitCode}); output:\n${out}`);
    try { process.kill(-sid, 'SIGKILL'); } catch { /* gone */ }
    return;
  }
  const urlLines = out.split('\n').filter((l) => l.includes(url));
  say(`printed the URL on one line: ${urlLines[0].trim().replace(/token=[\w-]+/, 'token=…')}`);
  if (/no Electron binary/i.test(out)) say('said why there is no Electron window: ' + out.split('\n').find((l) => /no Electron binary/i.test(l)).trim().slice(0, 160));

  try {
    const page = await fetch(url);
    const html = await page.text();
    if (page.status !== 200 || !/<html/i.test(html)) throw new Error(`HTTP ${page.status}, ${html.length} bytes`);
    say(`GET / → ${page.status}, ${html.length} bytes of HTML`);

    const origin = new URL(url).origin;
    const token = new URL(url).searchParams.get('token');
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/api?token=${token}`, { headers: { Origin: origin } });
    const reply = await new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error('no reply to listScenarios in 30 s')), 30_000);
      ws.on('error', rej);
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'listScenarios', args: [] })));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data));
        if (msg.id === 1) {
          clearTimeout(timer);
          res(msg);
        }
      });
    });
    ws.close();
    if (!reply.ok || !Array.isArray(reply.result) || reply.result.length === 0) throw new Error(`unexpected reply ${JSON.stringify(reply).slice(0, 200)}`);
    say(`WebSocket call listScenarios with the token → ${reply.result.length} scenarios`);
  } catch (err) {
    fail('using the served UI', err.message);
  }

  // Ctrl-C at a terminal: SIGINT to every process of the foreground group.
  process.kill(-sid, 'SIGINT');
  const ended = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 20_000))]);
  if (!ended) fail('Ctrl-C', 'npm start still running 20 s after SIGINT');
  else say(`Ctrl-C → npm start ended (${ended.signal ?? `exit ${ended.code}`})`);
  // A shutdown may take a moment (the engine ends its workloads): allow it 10 s.
  let left = leftovers(sid, marker);
  for (let waited = 0; left.length && waited < 10_000; waited += 200) {
    await new Promise((r) => setTimeout(r, 200));
    left = leftovers(sid, marker);
  }
  if (left.length) {
    fail('after Ctrl-C', `${left.length} process(es) of it still running: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
    try { process.kill(-sid, 'SIGKILL'); } catch { /* gone */ }
  } else say('no process of it left running');
  if (!process.exitCode) say('OK');
}

await main();
