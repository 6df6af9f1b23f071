// The key of a cached reply: a hash of the query's bytes after its ID (and the transport), so a hit builds
// no string; the bytes themselves are compared on a hit, so two queries sharing a hash never share a reply.
/** The transport a query came on (a reply is cut to fit it). */
export type Transport = 'udp' | 'tcp';

/** FNV-1a over the query after its ID, seeded by the transport. */
export function queryHash(message: Buffer, transport: Transport): number {
  let hash = transport === 'udp' ? 0x811c9dc5 : 0x050c5d1f;
  for (let i = 2; i < message.length; i++) hash = Math.imul(hash ^ message[i], 0x01000193);
  return hash >>> 0;
}

export function sameQuery(message: Buffer, stored: Buffer): boolean {
  if (message.length - 2 !== stored.length) return false;
  for (let i = 0; i < stored.length; i++) if (message[i + 2] !== stored[i]) return false;
  return true;
}
