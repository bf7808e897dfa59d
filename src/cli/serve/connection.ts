// One browser tab on the `serve` WebSocket: its messages go to an API session (apiSession.ts:
// the same one a remote CoreScope speaks over SSH), and closing the tab ends the runs it started.
import type { RawData, WebSocket } from 'ws';
import type { CoreScopeApi } from '../../shared/api';
import { openApiSession } from '../apiSession';

const asBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

export function attachConnection(ws: WebSocket, engine: CoreScopeApi): void {
  const session = openApiSession(engine, (encoded) => {
    if (ws.readyState === ws.OPEN) ws.send(encoded);
  });
  ws.on('message', (data, isBinary) => session.onMessage(isBinary ? asBuffer(data) : data.toString(), isBinary));
  // Protocol errors (a frame over the size limit, invalid UTF-8, a bad opcode) arrive as 'error'
  // events; ws then closes this connection with the right code. Unhandled, one such frame would
  // crash the whole server.
  ws.on('error', () => undefined);
  ws.on('close', () => session.close());
}
