// node-cluster-http: a cluster primary forks N HTTP server workers on one port, and drives
// them with a built-in loopback load generator.
//
// Each worker is a whole Node process with its own event loop; the primary hands incoming
// connections round-robin to them, so N workers serve requests on N cores at once. Every
// request costs --request-work-ms of CPU in the worker, so the servers (not the load
// generator) dominate. Reports requestsPerSec and requests.worker.<pid>.
import cluster from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';
import * as ev from './_events.mjs';
import { busyFor } from './_work.mjs';

const HOST = '127.0.0.1';

if (cluster.isPrimary) {
  await primary();
} else {
  worker();
}

function worker() {
  const port = Number(process.env.CORESCOPE_CLUSTER_PORT);
  const workMs = Number(process.env.CORESCOPE_REQUEST_WORK_MS);
  const name = `worker-${cluster.worker.id}`;
  const server = http.createServer((req, res) => {
    if (workMs > 0) busyFor(workMs);
    res.setHeader('x-worker-pid', String(process.pid));
    res.end(`Handled by PID ${process.pid}\n`);
  });
  server.keepAliveTimeout = 2000;
  server.listen(port, HOST, () => ev.taskStart(name));
  server.on('close', () => ev.taskEnd(name));
  // cluster's disconnect() closes the server; keep-alive sockets are closed by the client side.
}

async function freePort() {
  // Port 0 in a cluster worker does not give all workers one shared port we can tell the load
  // generator about, so ask the OS for a free one here and hand it to every worker.
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function primary() {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: '2' },
      requests: { type: 'string', default: '100000' },
      'duration-ms': { type: 'string', default: '2500' },
      connections: { type: 'string', default: '8' },
      'request-work-ms': { type: 'string', default: '2' },
      'heartbeat-ms': { type: 'string', default: '20' },
    },
  });
  const nWorkers = Number(values.workers);
  const maxRequests = Number(values.requests);
  const durationMs = Number(values['duration-ms']);
  const connections = Number(values.connections);

  const port = await freePort();
  cluster.setupPrimary({ stdio: ev.forkStdio() }); // workers get the event fd at its number
  const workers = [];
  const exited = [];
  for (let i = 0; i < nWorkers; i++) {
    const w = cluster.fork({
      CORESCOPE_CLUSTER_PORT: String(port),
      CORESCOPE_REQUEST_WORK_MS: values['request-work-ms'],
    });
    workers.push(w);
    exited.push(new Promise((resolve) => w.once('exit', resolve)));
  }
  const killAll = () => workers.forEach((w) => w.process.exitCode === null && w.process.kill('SIGTERM'));
  process.on('SIGTERM', () => {
    killAll();
    process.exit(143);
  });
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('listening', resolve))));

  const stopBeat = ev.startHeartbeat(Number(values['heartbeat-ms']));
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const perPid = new Map();
  let sent = 0;
  let done = 0;
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + durationMs;

  const get = () => new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: '/', agent }, (res) => {
      const pid = res.headers['x-worker-pid'];
      res.resume();
      res.on('end', () => {
        perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
        done++;
        resolve();
      });
    });
    req.on('error', () => {
      failed++;
      resolve();
    });
  });

  ev.taskStart('load-generator');
  await Promise.all(Array.from({ length: connections }, async () => {
    // One request in flight per connection: a closed-loop client, bounded by count and time.
    while (sent < maxRequests && performance.now() < deadline) {
      sent++;
      await get();
    }
  }));
  ev.taskEnd('load-generator');
  const elapsedS = (performance.now() - t0) / 1000;
  stopBeat();

  agent.destroy(); // close keep-alive sockets so the servers can close
  for (const w of workers) w.disconnect();
  const timer = setTimeout(killAll, 5000); // a worker stuck in close must still go
  await Promise.all(exited);
  clearTimeout(timer);

  const rps = done / elapsedS;
  ev.metric('requestsPerSec', Math.round(rps * 10) / 10, 'req/s');
  ev.metric('requests', done, 'req');
  if (failed) ev.metric('requestErrors', failed, 'req');
  for (const [pid, n] of perPid) ev.metric(`requests.worker.${pid}`, n, 'req');
  const shares = [...perPid.entries()].map(([pid, n]) => `${pid}:${n}`).join(' ');
  console.log(`${done} requests in ${elapsedS.toFixed(2)} s on ${nWorkers} workers: ${rps.toFixed(0)} req/s (${shares}), port ${port} closed`);
  process.exitCode = failed ? 1 : 0;
}
