// One service: its instances with node, address, tags, meta and every check; its DNS names. Live.
import { Badge, ErrorBox, KeyValues, Loading, Page, Tags } from '../components';
import { worst } from '../health';
import { useWatch } from '../live';
import { href } from '../router';

export interface Check {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Notes: string;
  Output: string;
  ServiceID: string;
  Type?: string;
}

interface Entry {
  Node: { Node: string; Address: string; Datacenter: string };
  Service: { ID: string; Service: string; Address: string; Port: number; Tags: string[] | null; Meta: Record<string, string> | null };
  Checks: Check[];
}

export const CheckList = ({ checks }: { checks: Check[] }) =>
  !checks.length ? <p class="muted">No checks.</p> : (
    <ul class="checks">
      {checks.map((c) => (
        <li class={`check ${c.Status}`} data-check={c.CheckID}>
          <Badge status={c.Status} /> <strong>{c.Name}</strong> <span class="muted">{c.CheckID}{c.ServiceID ? '' : ' · node check'}</span>
          {c.Notes ? <div class="notes">{c.Notes}</div> : null}
          {c.Output ? <pre class="output">{c.Output}</pre> : null}
        </li>
      ))}
    </ul>
  );

export function Service({ dc, name }: { dc: string; name: string }) {
  const { data, error } = useWatch<Entry[]>(`/v1/health/service/${encodeURIComponent(name)}`, dc);
  const tags = [...new Set((data ?? []).flatMap((e) => e.Service.Tags ?? []))].sort();
  const domain = 'consul';
  return (
    <Page title={<>{name} <a class="small" href={href(dc, 'services')}>All services</a></>}>
      {error ? <ErrorBox error={error} /> : !data ? <Loading /> : (
        <>
          <h2>DNS names</h2>
          <ul class="dns">
            <li><code>{name}.service.{domain}</code></li>
            <li><code>{name}.service.{dc || 'dc1'}.{domain}</code></li>
            {tags.map((t) => <li><code>{t}.{name}.service.{domain}</code></li>)}
          </ul>
          <h2>Instances <span class="muted">{data.length}</span></h2>
          {!data.length ? <p class="muted">No instances of {name} are registered.</p> : null}
          <div class="cards">
            {data.map((e) => (
              <article class="card" data-instance={e.Service.ID}>
                <header>
                  <Badge status={worst(e.Checks.map((c) => c.Status))} /> <strong>{e.Service.ID}</strong>
                </header>
                <p>
                  Node <a href={href(dc, 'nodes', e.Node.Node)}>{e.Node.Node}</a> · <code>{e.Service.Address || e.Node.Address}:{e.Service.Port}</code>
                </p>
                <Tags tags={e.Service.Tags} />
                <h3>Meta</h3>
                <KeyValues values={e.Service.Meta} label="meta" />
                <h3>Checks</h3>
                <CheckList checks={e.Checks} />
              </article>
            ))}
          </div>
        </>
      )}
    </Page>
  );
}
