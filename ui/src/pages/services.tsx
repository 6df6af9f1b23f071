// Services: one blocking read of /v1/internal/ui/services; search by name or tag, filter by health,
// sort by name or health. Rows are windowed: only those in view are in the DOM, whatever the count.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorBox, HealthCounts, Loading, Page, Tags } from '../components';
import { RANK, worst, type Status } from '../health';
import { useWatch } from '../live';
import { href } from '../router';

export interface ServiceSummary {
  Name: string;
  Kind?: string;
  Tags: string[] | null;
  InstanceCount: number;
  ChecksPassing: number;
  ChecksWarning: number;
  ChecksCritical: number;
}

const ROW = 52;
const statusOf = (s: ServiceSummary): Status =>
  worst([...(s.ChecksCritical ? ['critical'] : []), ...(s.ChecksWarning ? ['warning'] : [])]);

/** The rows of `count` that are in the viewport of the list element, plus a margin. */
function useWindow(count: number) {
  const ref = useRef<HTMLOListElement>(null);
  const [range, setRange] = useState<[number, number]>([0, 40]);
  useEffect(() => {
    const update = () => {
      const el = ref.current;
      if (!el) return;
      const top = el.getBoundingClientRect().top;
      const first = Math.max(0, Math.floor(-top / ROW) - 10);
      const last = Math.min(count, Math.ceil((innerHeight - top) / ROW) + 10);
      setRange((r) => (r[0] === first && r[1] === last ? r : [first, last]));
    };
    update();
    addEventListener('scroll', update, { passive: true });
    addEventListener('resize', update);
    return () => {
      removeEventListener('scroll', update);
      removeEventListener('resize', update);
    };
  }, [count]);
  return { ref, range };
}

export function Services({ dc }: { dc: string }) {
  const { data, error } = useWatch<ServiceSummary[]>('/v1/internal/ui/services', dc);
  const [search, setSearch] = useState('');
  const [health, setHealth] = useState<'' | Status>('');
  const [sort, setSort] = useState<'name' | 'health'>('name');
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    const list = (data ?? []).filter(
      (s) => (!q || s.Name.toLowerCase().includes(q) || (s.Tags ?? []).some((t) => t.toLowerCase().includes(q))) && (!health || statusOf(s) === health),
    );
    return sort === 'health' ? [...list].sort((a, b) => RANK[statusOf(a)] - RANK[statusOf(b)] || (a.Name < b.Name ? -1 : 1)) : list;
  }, [data, search, health, sort]);
  const { ref, range } = useWindow(shown.length);
  if (error) return <Page title="Services"><ErrorBox error={error} /></Page>;
  return (
    <Page title={<>Services <span class="muted total">{data ? data.length : ''}</span></>}>
      <div class="toolbar" role="search">
        <label>
          <span class="sr-only">Search by name or tag</span>
          <input type="search" placeholder="Search by name or tag" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <label>
          Health{' '}
          <select aria-label="Filter by health" value={health} onChange={(e) => setHealth(e.currentTarget.value as Status)}>
            <option value="">All</option>
            <option value="passing">Passing</option>
            <option value="warning">Warning</option>
            <option value="critical">Critical</option>
          </select>
        </label>
        <label>
          Sort{' '}
          <select aria-label="Sort by" value={sort} onChange={(e) => setSort(e.currentTarget.value as 'name')}>
            <option value="name">Name</option>
            <option value="health">Health (worst first)</option>
          </select>
        </label>
      </div>
      {!data ? <Loading /> : !shown.length ? <p class="muted">No services{search || health ? ' match' : ''}.</p> : null}
      <ol ref={ref} class="rows" style={{ height: `${shown.length * ROW}px` }} aria-label="Services" data-count={shown.length}>
        {shown.slice(range[0], range[1]).map((s, i) => (
          <li class="row" style={{ top: `${(range[0] + i) * ROW}px` }} data-service={s.Name} key={s.Name}>
            <span class={`dot ${statusOf(s)}`} aria-label={statusOf(s)} role="img" />
            <a class="name" href={href(dc, 'services', s.Name)}>{s.Name}</a>
            <span class="muted">{s.InstanceCount} instance{s.InstanceCount === 1 ? '' : 's'}</span>
            <HealthCounts passing={s.ChecksPassing} warning={s.ChecksWarning} critical={s.ChecksCritical} />
            <Tags tags={s.Tags} />
          </li>
        ))}
      </ol>
    </Page>
  );
}
