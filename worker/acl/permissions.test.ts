// The permission table covers the whole API: every method every route declares either has a row, or is
// one of the few endpoints that are open or check ACLs themselves. A new endpoint without a row fails here.
import { describe, expect, it } from 'vitest';
import { app } from '../app';
import { ACL_SELF_CHECKED, ALWAYS_OPEN, OPEN } from './middleware';
import { permissionFor } from './permissions';

const declared = () => {
  const seen = new Set<string>();
  for (const r of app.routes) if (r.method !== 'ALL' && r.method !== 'OPTIONS') seen.add(`${r.method} ${r.path}`);
  return [...seen].map((line) => line.split(' ') as [string, string]);
};
const concrete = (path: string) => path.replace(/:(\w+)(\{[^}]*\})?/g, 'x');

describe('the ACL permission table', () => {
  it('has a row for every declared endpoint that is not open or self-checked', () => {
    const routes = declared().filter(([, path]) => path.startsWith('/v1/'));
    expect(routes.length).toBeGreaterThan(50);
    const exempt = [...OPEN, ...ALWAYS_OPEN, ...ACL_SELF_CHECKED];
    const missing = routes.filter(([method, path]) => !exempt.some((p) => concrete(path).startsWith(p)) && !permissionFor(method, concrete(path)));
    expect(missing.map((r) => r.join(' '))).toEqual([]);
  });

  it('asks of HEAD what it asks of GET', () => {
    expect(permissionFor('HEAD', '/v1/kv/a')?.permission).toBe(permissionFor('GET', '/v1/kv/a')?.permission);
  });
});
