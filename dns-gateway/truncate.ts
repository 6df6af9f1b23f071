// Fits a reply to what the transport allows (coredns request.go Scrub, consul agent/dns.go trimUDPResponse):
// UDP gets 512 bytes, or the client's EDNS0 size; answers are cut from the end with the additional
// section kept to one record per surviving SRV record, and TC is set so the client retries over TCP.
import * as packet from 'dns-packet';

export const UDP_DEFAULT = 512;
/** consul agent/dns.go: the largest EDNS0 size honoured. */
export const UDP_MAX = 65467;
export const TCP_MAX = 65535;

/** The UDP size a query allows: its OPT record's payload size, clamped, or 512 without EDNS0. */
export function udpLimit(query: packet.Packet): number {
  const opt = query.additionals?.find((r) => r.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  if (!opt) return UDP_DEFAULT;
  return Math.min(UDP_MAX, Math.max(UDP_DEFAULT, opt.udpPayloadSize ?? UDP_DEFAULT));
}

export function encodeWithin(reply: packet.Packet, limit: number): Buffer {
  const whole = packet.encode(reply);
  if (whole.length <= limit) return whole;
  const answers = reply.answers ?? [];
  const additionals = reply.additionals ?? [];
  const opt = additionals.filter((r) => r.type === 'OPT');
  const withAnswers = (n: number, keepExtra: boolean): packet.Packet => {
    const kept = answers.slice(0, n);
    // One additional record per surviving SRV record, as the full answer pairs them (see worker/dns/answer.ts).
    const wanted = new Map<string, number>();
    for (const r of kept) if (r.type === 'SRV') wanted.set(r.data.target.toLowerCase(), (wanted.get(r.data.target.toLowerCase()) ?? 0) + 1);
    const extra = !keepExtra ? [] : additionals.filter((r) => {
      const left = r.type === 'OPT' ? 0 : (wanted.get(r.name.toLowerCase()) ?? 0);
      if (left > 0) wanted.set(r.name.toLowerCase(), left - 1);
      return left > 0;
    });
    return { ...reply, answers: kept, additionals: [...extra, ...opt] };
  };
  // Dropping only additional records needs no TC (RFC 2181 9): the answer itself is complete.
  const noExtra = packet.encode(withAnswers(answers.length, false));
  if (noExtra.length <= limit) return noExtra;
  for (let n = answers.length - 1; n >= 0; n--) {
    for (const keepExtra of [true, false]) {
      const candidate = withAnswers(n, keepExtra);
      candidate.flags = (candidate.flags ?? 0) | packet.TRUNCATED_RESPONSE;
      const bytes = packet.encode(candidate);
      if (bytes.length <= limit) return bytes;
    }
  }
  // Even the bare question does not fit: header and TC only.
  return packet.encode({ ...reply, flags: (reply.flags ?? 0) | packet.TRUNCATED_RESPONSE, questions: [], answers: [], authorities: [], additionals: [] });
}
