// Nodes: the list with health (one blocking read of /v1/internal/ui/nodes), and a node page with its
// services, checks, meta, tagged addresses and lock sessions.
import { useState } from 'preact/hooks';
import { Badge, ErrorBox, KeyValues, Loading, Page } from '../components';
import { worst } from '../health';
import { useWatch } from '../live';
import { href } from '../router';
import { CheckList, type Check } from './service';

interface NodeInfo {
  Node: string;
  Address: string;
  TaggedAddresses: Record<string, string> | null;
  Meta: Record<string, string> | null;
  Services: { ID: string; Service: string; Port: number; Address: string; Tags: string[] | null }[];
  Checks: Check[];
}

interface Session {
  ID: string;
  Name: string;
  Behavior: string;
  TTL: string;
  LockDelay: number;
}

export function Nodes({ dc }: { dc: string }) {
  const { data, error } = useWatch<NodeInfo[]>('/v1/internal/ui/nodes', dc);
  const [search, setSearch] = useState('');
  const shown = (data ?? []).filter((n) => !search || n.Node.toLowerCase().includes(search.toLowerCase()) || n.Address.includes(search));
  return (
    <Page title="Nodes">
      <div class="toolbar" role="search">
        <label><span class="sr-only">Search nodes</span><input type="search" placeholder="Search by name or address" value={search} onInput={(e) => setSearch(e.currentTarget.value)} /></label>
      </div>
      {error ? <ErrorBox error={error} /> : !data ? <Loading /> : (
        <table class="table">
          <thead><tr><th>Health</th><th>Node</th><th>Address</th><th>Services</th></tr></thead>
          <tbody>
            {shown.map((n) => (
              <tr data-node={n.Node}>
                <td><Badge status={worst(n.Checks.map((c) => c.Status))} /></td>
                <td><a href={href(dc, 'nodes', n.Node)}>{n.Node}</a></td>
                <td><code>{n.Address}</code></td>
                <td>{n.Services.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export function NodePage({ dc, name }: { dc: string; name: string }) {
  const { data, error } = useWatch<NodeInfo>(`/v1/internal/ui/node/${encodeURIComponent(name)}`, dc);
  const sessions = useWatch<Session[]>(`/v1/session/node/${encodeURIComponent(name)}`, dc);
  return (
    <Page title={<>{name} <a class="small" href={href(dc, 'nodes')}>All nodes</a></>}>
      {error ? <ErrorBox error={error} /> : !data ? <Loading /> : (
        <>
          <p>Address <code>{data.Address}</code> · <Badge status={worst(data.Checks.map((c) => c.Status))} /></p>
          <h2>Services</h2>
          {!data.Services.length ? <p class="muted">No services.</p> : (
            <table class="table">
              <thead><tr><th>Service</th><th>ID</th><th>Address</th></tr></thead>
              <tbody>
                {data.Services.map((s) => (
                  <tr><td><a href={href(dc, 'services', s.Service)}>{s.Service}</a></td><td>{s.ID}</td><td><code>{s.Address || data.Address}:{s.Port}</code></td></tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Checks</h2>
          <CheckList checks={data.Checks} />
          <h2>Meta</h2>
          <KeyValues values={data.Meta} label="meta" />
          <h2>Tagged addresses</h2>
          <KeyValues values={data.TaggedAddresses} label="tagged addresses" />
          <h2>Lock sessions</h2>
          {sessions.error ? <ErrorBox error={sessions.error} /> : !sessions.data?.length ? <p class="muted">No sessions.</p> : (
            <table class="table">
              <thead><tr><th>ID</th><th>Name</th><th>Behavior</th><th>TTL</th></tr></thead>
              <tbody>{sessions.data.map((s) => <tr><td><code>{s.ID}</code></td><td>{s.Name}</td><td>{s.Behavior}</td><td>{s.TTL || '—'}</td></tr>)}</tbody>
            </table>
          )}
        </>
      )}
    </Page>
  );
}
