import { DurableObject } from 'cloudflare:workers';
export class Datacenter extends DurableObject {
  ping() { return 'pong'; }
}
