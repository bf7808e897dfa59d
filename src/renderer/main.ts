// Renderer entry: pick the transport (Electron preload or the serve WebSocket), then mount.
import './styles.css';
import { App } from './app';
import { ApiError } from './transport/apiError';
import { pickTransport } from './transport/pickTransport';
import { adviceFor } from './views/errorAdvice';

/** When this script began: what came before it is the browser fetching and parsing the bundle. */
const scriptStart = performance.now();

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  try {
    // Marks for a performance trace of the start (what the 1 s goes to): script, socket, page built.
    performance.mark('cs:script-start', { startTime: scriptStart });
    const transport = await pickTransport();
    performance.mark('cs:transport');
    const app = new App(transport);
    // The first requests go out before the page is built: they travel while it is.
    const loaded = app.load();
    app.mount(root);
    performance.mark('cs:mounted');
    document.body.dataset.transport = transport.kind;
    await loaded;
    document.body.dataset.ready = 'true';
    // How long from navigation to a usable page (issue #20: under 1 s, the runtimes arriving later).
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    // Usable before the machine's runtimes arrived: the page did not wait for the probing.
    document.body.dataset.runtimesAtReady = document.body.dataset.runtimes ?? '';
    document.body.dataset.appReadyMs = String(Math.round(performance.now() - scriptStart));
  } catch (e) {
    const err = ApiError.from(e);
    root.textContent = '';
    const box = document.createElement('div');
    box.className = 'error-banner fatal';
    box.setAttribute('role', 'alert');
    box.dataset.testid = 'fatal-error';
    box.append(Object.assign(document.createElement('strong'), { textContent: 'CoreScope could not start' }));
    box.append(Object.assign(document.createElement('div'), { textContent: err.message }));
    box.append(Object.assign(document.createElement('div'), { className: 'error-advice', textContent: adviceFor(err) }));
    root.append(box);
    document.body.dataset.ready = 'error';
  }
}

void start();
