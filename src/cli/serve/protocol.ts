// serve's protocol is the shared wire format (src/shared/wire.ts), the same module the
// renderer's client speaks; named here for serve's own modules.
export { MAX_MESSAGE_BYTES, encodeServerMessage, parseBinaryCall, parseCallMessage, type CallMessage, type EventMessage, type ReplyMessage } from '../../shared/wire';
