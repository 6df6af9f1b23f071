// go-kit's sd/consul Registrar, Instancer, Endpointer and lb.Retry against Beacon (go test).
import { inject, it } from 'vitest';
import { expectGoTestPasses } from '../run-client';

it('follows register, deregister and HTTP/TCP check state through the Instancer and calls through lb.Retry', () => expectGoTestPasses(import.meta.url, inject('beaconUrl')), 250_000);
