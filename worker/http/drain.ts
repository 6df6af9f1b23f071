// What a handler left unread of a request body, read and dropped before the answer goes out. workerd
// closes a connection whose request body was not read, and the kernel then resets it because bytes are
// still arriving: the client loses the answer it was sent (a 405 or a 413 before the body was looked
// at). Go's server, Consul's, reads up to 256 KB after the handler for the same reason; this reads up to
// DRAIN_MAX_BYTES and leaves bigger bodies to the reset.
export const DRAIN_MAX_BYTES = 4 * 1024 * 1024;

/** Undefined when there is nothing to wait for (no body, read already, or declared empty): no await on the hot path. */
export function drainUnread(request: Request): Promise<void> | undefined {
  const body = request.body;
  if (!body || request.bodyUsed) return undefined;
  const length = request.headers.get('Content-Length');
  if (length === '0' || Number(length) > DRAIN_MAX_BYTES) return undefined;
  return drain(body);
}

async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
      if (read > DRAIN_MAX_BYTES) return void (await reader.cancel());
    }
  } catch {
    // The client went away: nothing left to protect.
  }
}
