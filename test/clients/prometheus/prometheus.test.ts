// Prometheus' own Consul service discovery (github.com/prometheus/prometheus/discovery/consul from
// v3.16.0, the code behind consul_sd_configs) run as a library by go test against Beacon: targets
// appear with __meta_consul_* labels (health included), follow changes and disappear on deregistration.
import { inject, it } from 'vitest';
import { expectGoTestPasses } from '../run-client';

it('discovers, relabels by health and drops targets (go test -v) against Beacon', () => expectGoTestPasses(import.meta.url, inject('beaconUrl')), 250_000);
