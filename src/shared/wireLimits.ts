// The sizes the transports are built around, in a module of their own (no imports) so the wire
// format, the argument schemas and the renderer's uploader all read the same numbers.

/** The largest message serve accepts (ws closes the connection with 1009 above it). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * An upload part's largest size: a file the user opens reaches the engine in parts, each one
 * binary frame on the WebSocket, well under MAX_MESSAGE_BYTES with its header.
 */
export const UPLOAD_PART_BYTES = 512 * 1024;
