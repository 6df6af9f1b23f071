// The key of a cached reply: a hash of the query's bytes after its ID (and the transport), so a hit builds
// no string; the bytes themselves are compared on a hit, so two queries sharing a hash never share a reply.
// The question name's ASCII letters count in either case (RFC 4343): a client that randomises them (0x20,
// as Unbound's use-caps-for-id does) hits the same reply, given back with its own question bytes.
/** The transport a query came on (a reply is cut to fit it). */
export type Transport = 'udp' | 'tcp';

const HEADER = 12;
const MAX_LABEL = 63;
const [UPPER_A, UPPER_Z, CASE_BIT] = [0x41, 0x5a, 0x20];

/**
 * Where the question name (from byte 12) ends when it is plain labels, else 12: only bytes before it are
 * case-folded. A length byte is at most 63, so folding 'A'..'Z' in the name touches label text only.
 */
export function nameEnd(message: Buffer): number {
  for (let i = HEADER; i < message.length; i += 1 + message[i]) {
    if (message[i] === 0) return i + 1;
    if (message[i] > MAX_LABEL) return HEADER;
  }
  return HEADER;
}

const lower = (byte: number) => (byte >= UPPER_A && byte <= UPPER_Z ? byte | CASE_BIT : byte);
const PRIME = 0x01000193;

/** FNV-1a over the query after its ID, its name case-folded, seeded by the transport (three loops: a hit's hot spot). */
export function queryHash(message: Buffer, transport: Transport, end = nameEnd(message)): number {
  let hash = transport === 'udp' ? 0x811c9dc5 : 0x050c5d1f;
  let i = 2;
  for (; i < HEADER; i++) hash = Math.imul(hash ^ message[i], PRIME);
  for (; i < end; i++) hash = Math.imul(hash ^ lower(message[i]), PRIME);
  for (; i < message.length; i++) hash = Math.imul(hash ^ message[i], PRIME);
  return hash >>> 0;
}

/** What a reply is stored under: the query after its ID, its name's ASCII letters in lower case. */
export function storedQuery(message: Buffer): Buffer {
  const end = nameEnd(message);
  const stored = Buffer.from(message.subarray(2));
  for (let i = HEADER; i < end; i++) stored[i - 2] = lower(message[i]);
  return stored;
}

export function sameQuery(message: Buffer, stored: Buffer, end = nameEnd(message)): boolean {
  if (message.length - 2 !== stored.length) return false;
  let i = 2;
  for (; i < HEADER; i++) if (message[i] !== stored[i - 2]) return false;
  for (; i < end; i++) if (lower(message[i]) !== stored[i - 2]) return false;
  for (; i < message.length; i++) if (message[i] !== stored[i - 2]) return false;
  return true;
}

/** A name in DNS's case-insensitive form: ASCII letters lowered, nothing else (non-ASCII labels are distinct names). */
export const foldName = (name: string) => name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
