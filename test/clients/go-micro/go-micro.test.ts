// go-micro v4 + its consul registry plugin, as a real service process and a real client (go test).
import { inject, it } from 'vitest';
import { expectGoTestPasses } from '../run-client';

it('registers, serves calls through the selector, and leaves it on stop, kill and a failing RegisterCheck', () => expectGoTestPasses(import.meta.url, inject('beaconUrl')), 250_000);
