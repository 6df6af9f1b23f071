// The shell: header with the datacenter switcher and sections, the connection indicator, and the page
// the hash route names.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Loading } from './components';
import { useConnectionLost, useRead } from './live';
import { AclList, Login } from './pages/acl';
import { Kv } from './pages/kv';
import { NodePage, Nodes } from './pages/nodes';
import { Service } from './pages/service';
import { Services } from './pages/services';
import { href, useRoute } from './router';

const SECTIONS = [['services', 'Services'], ['nodes', 'Nodes'], ['kv', 'Key / Value'], ['acl', 'Access controls']] as const;

function Body({ dc, section, rest, relogin }: { dc: string; section: string; rest: string; relogin: () => void }) {
  if (section === 'services') return rest ? <Service dc={dc} name={rest} key={rest} /> : <Services dc={dc} />;
  if (section === 'nodes') return rest ? <NodePage dc={dc} name={rest} key={rest} /> : <Nodes dc={dc} />;
  if (section === 'kv') return <Kv dc={dc} path={rest} />;
  if (section === 'acl') return <AclList dc={dc} kind={rest === 'policies' || rest === 'roles' ? rest : 'tokens'} key={rest} />;
  if (section === 'login') return <Login dc={dc} onChange={relogin} />;
  return <p>Unknown page. <a href={href(dc, 'services')}>Services</a></p>;
}

function App() {
  const route = useRoute();
  const dcs = useRead<string[]>('/v1/catalog/datacenters', '');
  const lost = useConnectionLost();
  const [session, setSession] = useState(0);
  useEffect(() => {
    if (!route.dc && dcs.data?.length) location.replace(href(dcs.data[0], route.section, route.rest));
  }, [route.dc, dcs.data]);
  if (dcs.error) return <main id="main"><ErrorBox error={dcs.error} /></main>;
  if (!route.dc) return <Loading />;
  const switchDc = (dc: string) => (location.hash = href(dc, route.section === 'login' ? 'login' : route.section));
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href={href(route.dc, 'services')}>Beacon</a>
        <label class="dc">
          <span class="sr-only">Datacenter</span>
          <select aria-label="Datacenter" value={route.dc} onChange={(e) => switchDc(e.currentTarget.value)}>
            {(dcs.data ?? [route.dc]).map((d) => <option value={d}>{d}</option>)}
          </select>
        </label>
        <nav aria-label="Sections" class="sections">
          {SECTIONS.map(([id, label]) => <a href={href(route.dc, id)} aria-current={route.section === id ? 'page' : undefined}>{label}</a>)}
          <a href={href(route.dc, 'login')} aria-current={route.section === 'login' ? 'page' : undefined}>{sessionStorage.getItem('beacon:token') ? 'Token' : 'Log in'}</a>
        </nav>
      </header>
      {lost ? <div class="lost" role="status" data-connection="lost">Connection to Beacon lost — reconnecting…</div> : null}
      <main id="main" tabIndex={-1} key={`${route.dc}:${session}`}>
        <Body dc={route.dc} section={route.section} rest={route.rest} relogin={() => setSession((n) => n + 1)} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
