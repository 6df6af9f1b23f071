// The official Go client, github.com/hashicorp/consul/api v1.34.5 with its api/watch plans, against
// Beacon: its go test suite (Agent, Catalog, Health, KV, Lock, Semaphore, Session, Txn, Event,
// PreparedQuery, watches), each case asserting what the client decoded.
import { inject, it } from 'vitest';
import { expectGoTestPasses } from '../run-client';

it('passes the go-api suite (go test -v) against Beacon', () => expectGoTestPasses(import.meta.url, inject('beaconUrl')), 250_000);
