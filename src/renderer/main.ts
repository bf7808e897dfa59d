// Renderer entry: pick the transport (Electron preload or the serve WebSocket), then mount.
import './styles.css';
import { App } from './app';
import { ApiError } from './transport/apiError';
import { pickTransport } from './transport/pickTransport';
import { adviceFor } from './views/errorAdvice';

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  try {
    const transport = await pickTransport();
    const app = new App(transport);
    app.mount(root);
    document.body.dataset.transport = transport.kind;
    await app.load();
    document.body.dataset.ready = 'true';
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
