// The bench's Node floor for the DNS gateway: a Node UDP server that answers each query with its own bytes
// (QR set, nothing looked up), sent the way the gateway sends (dns-gateway/udp.ts). What it costs per query is
// what Node's dgram costs before the gateway does anything. Usage: node --import tsx udp-echo.ts <port>
import { createSocket } from 'node:dgram';
import { skipAddressLookup } from '../../dns-gateway/udp';

const QR = 0x80;
const socket = createSocket('udp4');
socket.on('message', (query, from) => {
  query[2] |= QR;
  socket.send(query, from.port, from.address);
});
socket.bind(Number(process.argv[2]), '127.0.0.1', () => skipAddressLookup(socket));
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
