// Whether a query's question survives decoding: dns-packet reads labels as UTF-8 text, so a label with
// bytes that are not UTF-8 (or with a '.' byte) would come back longer, or split, when the reply echoes it.
// A reply must carry the question byte for byte (RFC 1035 §4.1.2): one that would not is refused (FORMERR).
import * as packet from 'dns-packet';

const HEADER = 12;
const MAX_JUMPS = 64;

/** The question name as it arrived, pointers followed, in uncompressed wire form; undefined if unreadable. */
function wireName(message: Buffer): Buffer | undefined {
  const labels: Buffer[] = [];
  let offset = HEADER;
  for (let jumps = 0; jumps <= MAX_JUMPS; ) {
    const len = message[offset];
    if (len === undefined) return undefined;
    if (len === 0) return Buffer.concat([...labels, Buffer.from([0])]);
    if ((len & 0xc0) === 0xc0) {
      if (offset + 1 >= message.length) return undefined;
      offset = message.readUInt16BE(offset) & 0x3fff;
      jumps++;
    } else if (len > 63 || offset + 1 + len > message.length) {
      return undefined;
    } else {
      labels.push(message.subarray(offset, offset + 1 + len));
      offset += 1 + len;
    }
  }
  return undefined;
}

/** True when encoding the decoded question gives back exactly the name bytes the client sent. */
export function questionEchoes(message: Buffer, question: packet.Question): boolean {
  const sent = wireName(message);
  if (!sent) return false;
  const again = packet.encode({ id: 0, type: 'query', questions: [{ name: question.name, type: 'A' }] });
  return again.subarray(HEADER, again.length - 4).equals(sent);
}
