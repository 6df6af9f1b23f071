// TCP connection limits with real sockets: an idle (or trickling, half-sent) connection is closed, and one
// client address cannot hold more than its share of connections.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../test/e2e/global-setup';
import { configFromEnv } from './config';
import { startGateway, type Gateway } from './main';
import { decodeReply, encodeQuery, framed } from './test-client';

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

/** Asks one query on an open connection: the reply's rcode, or 'closed' if the gateway closes it instead. */
const ask = (socket: Socket, name = 'beacon.node.consul') =>
  new Promise<string>((resolve) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) resolve(decodeReply(buffered.subarray(2, 2 + buffered.readUInt16BE(0))).rcode);
    });
    socket.on('error', () => resolve('closed'));
    socket.on('close', () => resolve('closed'));
    socket.write(framed(encodeQuery(name, 'A')));
  });

describe('dns-gateway TCP idle timeout', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ port: await freePort(), workerUrl: inject('beaconUrl'), tcpIdleMs: 400 }, () => {});
  });
  afterAll(() => gateway?.stop());

  it('closes a connection that sends nothing', async () => {
    await closed(await open(gateway.port));
  });

  it('closes a connection that trickles a frame byte by byte and never completes it', async () => {
    const socket = await open(gateway.port);
    socket.on('error', () => {});
    socket.write(Buffer.from([0, 200]));
    const trickle = setInterval(() => socket.destroyed || socket.write(Buffer.from([0x61])), 50);
    try {
      await closed(socket);
    } finally {
      clearInterval(trickle);
    }
  });

  it('answers several queries on one connection, then closes it once idle', async () => {
    const socket = await open(gateway.port);
    expect(await ask(socket)).toBe('NOERROR');
    socket.removeAllListeners('data');
    expect(await ask(socket)).toBe('NOERROR');
    await closed(socket);
  });
});

describe('dns-gateway TCP connections per client', () => {
  let gateway: Gateway;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    gateway = await startGateway({ port: await freePort(), workerUrl: inject('beaconUrl'), tcpMaxPerClient: 2, tcpIdleMs: 60_000 }, () => {});
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await gateway?.stop();
  });

  it('closes a client\'s connection beyond the limit at once and serves the ones it holds', async () => {
    for (let i = 0; i < 3; i++) sockets.push(await open(gateway.port));
    expect(await Promise.all(sockets.map((s) => ask(s)))).toEqual(['NOERROR', 'NOERROR', 'closed']);
  });

  it('accepts a new connection once the client closed one', async () => {
    sockets[0].destroy();
    await closed(sockets[0]);
    // The gateway sees the close a moment later: try until it has (the test's timeout bounds this).
    let rcode = 'closed';
    while (rcode === 'closed') {
      const socket = await open(gateway.port);
      sockets.push(socket);
      rcode = await ask(socket);
    }
    expect(rcode).toBe('NOERROR');
  });
});

describe('dns-gateway TCP settings', () => {
  it('reads the idle timeout and connection limits from BEACON_DNS_*, with defaults', () => {
    expect(configFromEnv({ BEACON_DNS_TCP_IDLE_MS: '1500', BEACON_DNS_TCP_MAX_PER_CLIENT: '4', BEACON_DNS_TCP_MAX_CONNECTIONS: '64' }))
      .toMatchObject({ tcpIdleMs: 1500, tcpMaxPerClient: 4, tcpMaxConnections: 64 });
    expect(configFromEnv({})).toMatchObject({ tcpIdleMs: 10_000, tcpMaxPerClient: 16, tcpMaxConnections: 512 });
    expect(() => configFromEnv({ BEACON_DNS_TCP_MAX_PER_CLIENT: '0' })).toThrow();
  });
});
