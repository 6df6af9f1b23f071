// Test support: raw DNS over real UDP and TCP sockets, and replies decoded into zone-file lines.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as packet from 'dns-packet';

export function encodeQuery(name: string, type: string, options: { id?: number; ednsSize?: number } = {}): Buffer {
  const additionals = options.ednsSize ? [{ name: '.', type: 'OPT', udpPayloadSize: options.ednsSize, extendedRcode: 0, ednsVersion: 0, flags: 0, options: [] } as unknown as packet.Answer] : [];
  return packet.encode({ id: options.id ?? Math.floor(Math.random() * 65536), type: 'query', flags: packet.RECURSION_DESIRED, questions: [{ name, type: type as packet.RecordType, class: 'IN' }], additionals });
}

/** Sends one datagram; resolves with the reply, or undefined after `timeoutMs`. */
export function udpExchange(port: number, message: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (reply) => finish(reply));
    socket.on('error', () => finish(undefined));
    socket.send(message, port, '127.0.0.1');
  });
}

/** Sends raw bytes on a fresh TCP connection; resolves with the first length-prefixed reply, or undefined on close/timeout. */
export function tcpExchange(port: number, bytes: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) finish(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
  });
}

export const framed = (message: Buffer) => Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message]);

export interface Reply {
  id: number;
  rcode: string;
  tc: boolean;
  size: number;
  answer: string[];
  extra: string[];
  ns: string[];
}

const line = (r: packet.Answer): string => {
  const d = (r as { data?: unknown }).data;
  const srv = d as packet.SrvData;
  const data = r.type === 'SRV' ? `${srv.priority} ${srv.weight} ${srv.port} ${srv.target}.` : r.type === 'SOA' ? 'SOA' : String(d);
  return r.type === 'OPT' ? '. OPT' : `${r.name}. ${r.ttl} IN ${r.type} ${data}`;
};

export function decodeReply(bytes: Buffer): Reply {
  const p = packet.decode(bytes) as packet.DecodedPacket & { rcode: string };
  return {
    id: p.id ?? 0, rcode: p.rcode, tc: p.flag_tc, size: bytes.length,
    answer: (p.answers ?? []).map(line), extra: (p.additionals ?? []).map(line), ns: (p.authorities ?? []).map(line),
  };
}

export const udpAsk = async (port: number, name: string, type: string, ednsSize?: number) =>
  decodeReply((await udpExchange(port, encodeQuery(name, type, { ednsSize })))!);
export const tcpAsk = async (port: number, name: string, type: string) => decodeReply((await tcpExchange(port, framed(encodeQuery(name, type))))!);
