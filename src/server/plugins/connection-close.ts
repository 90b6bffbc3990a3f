import type { IncomingMessage } from 'node:http';

/**
 * Whether an answer must end its connection (`Connection: close`): the server is closing, or the request's body
 * was not (yet) read. Answering before the body is in and keeping the connection would oblige the server to read
 * and discard all of it (node drains it to find the next request): an unauthenticated client could make it read
 * forever. For an unread body it also arranges how the socket ends (closeWithoutReading). Call it only when
 * answering.
 */
export function mustClose(req: IncomingMessage, closing: boolean): boolean {
  if (!req.complete) closeWithoutReading(req.socket);
  return closing || !req.complete;
}

/** How long a connection closed over an unread body stays open, not read, after its answer and FIN went out. */
export const LINGER_MS = 1000;

/**
 * Makes the socket's close, once node ends it after an answer with `Connection: close` (it calls destroySoon),
 * a lingering close (RFC 9112 §9.6) that reads nothing: reading stops, the answer is flushed and followed by a FIN,
 * and the socket is destroyed LINGER_MS later. Destroying it at once, with the client's body still arriving,
 * would send a TCP reset that can discard the answer in the client's receive buffer before the client reads it;
 * reading on would spend the server's CPU on a body it refused. Not reading lets the client's sends stall on
 * a closed TCP window meanwhile.
 */
function closeWithoutReading(socket: IncomingMessage['socket']): void {
  const s = socket as IncomingMessage['socket'] & { destroySoon?: () => void; _paused?: boolean; lingering?: boolean };
  if (s.destroyed || s.lingering) return;
  s.lingering = true;
  s.destroySoon = () => {
    // node's HTTP server reads the socket's handle itself and restarts reading on every 'resume' (node resumes an
    // unread request to drain it right after this) unless the socket is marked paused by the server (_paused, its
    // own back-pressure flag); pause() then stops the handle.
    s._paused = true;
    s.pause();
    const timer = setTimeout(() => s.destroy(), LINGER_MS);
    timer.unref();
    s.once('close', () => clearTimeout(timer));
    if (s.writable) s.end();
  };
}
