// Shared answer bytes (worker/http/shared-answers.ts) never cross tokens: the route's bytes are the
// whole answer, and each token's ACL filter runs on them per request, whoever read them first.
import { describe, expect, it } from 'vitest';
import { uniq } from '../test-support';
import { as, MANAGEMENT_TOKEN, ok, tokenWithRules } from './test-support';

describe('shared answers with ACLs', () => {
  it('answers each token its own view of one shared health/service and UI summary, plain and woken', async () => {
    const [svc, n1, n2] = [uniq('svc'), uniq('n1'), uniq('n2')];
    const limited = await tokenWithRules(`service_prefix "${svc}" { policy = "read" }\nnode "${n1}" { policy = "read" }`);
    for (const node of [n1, n2]) {
      await ok(as(MANAGEMENT_TOKEN, '/v1/catalog/register', { body: { Node: node, Address: '10.0.0.1', Service: { ID: `${svc}-${node}`, Service: svc, Port: 80 } } }));
    }
    const nodesOf = async (token: string, path: string, index = 0) => {
      const res = await as(token, index ? `${path}?index=${index}&wait=5s` : path);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { Node: { Node: string } }[];
      return { index: Number(res.headers.get('X-Consul-Index')), nodes: body.map((e) => e.Node.Node).sort(), filtered: res.headers.get('X-Consul-Results-Filtered-By-ACLs') };
    };
    const path = `/v1/health/service/${svc}`;
    for (const order of [[MANAGEMENT_TOKEN, limited.secret], [limited.secret, MANAGEMENT_TOKEN]]) {
      for (const token of order) {
        const read = await nodesOf(token, path);
        expect(read.nodes).toEqual(token === MANAGEMENT_TOKEN ? [n1, n2].sort() : [n1]);
        expect(read.filtered).toBe(token === MANAGEMENT_TOKEN ? null : 'true');
      }
    }
    const { index } = await nodesOf(MANAGEMENT_TOKEN, path);
    const woken = [MANAGEMENT_TOKEN, limited.secret].map((token) => nodesOf(token, path, index));
    await ok(as(MANAGEMENT_TOKEN, '/v1/catalog/register', { body: { Node: n2, Address: '10.0.0.2', Service: { ID: `${svc}-${n2}`, Service: svc, Port: 81 } } }));
    const [whole, part] = await Promise.all(woken);
    expect(whole.nodes).toEqual([n1, n2].sort());
    expect(part.nodes).toEqual([n1]);

    const ui = async (token: string) => (await ok<{ Name: string; Nodes: string[] }[]>(as(token, '/v1/internal/ui/services'))).find((s) => s.Name === svc)?.Nodes.sort();
    expect(await ui(MANAGEMENT_TOKEN)).toEqual([n1, n2].sort());
    expect(await ui(limited.secret)).toEqual([n1]);
    expect(await ui(MANAGEMENT_TOKEN)).toEqual([n1, n2].sort());
  });
});
