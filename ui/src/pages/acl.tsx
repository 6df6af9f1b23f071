// ACLs: log in with a token (kept in session storage only), see who you are, and manage tokens,
// policies and roles through Consul's /v1/acl API. The server validates rules; its refusals
// (403 Permission denied…, 500 Failed to parse ACL rules…) are shown as they come. With ACLs off
// (401 ACL support disabled) the pages say so.
import { useState } from 'preact/hooks';
import { ApiError, del, get, put, token, url } from '../api';
import { ErrorBox, Loading, Page } from '../components';
import { useRead } from '../live';
import { href } from '../router';

interface Link { ID?: string; Name: string }
interface Item {
  ID?: string;
  AccessorID?: string;
  SecretID?: string;
  Name?: string;
  Description?: string;
  Rules?: string;
  Policies?: Link[];
}

const KINDS = {
  tokens: { list: '/v1/acl/tokens', one: '/v1/acl/token', id: (i: Item) => i.AccessorID!, title: (i: Item) => i.Description || i.AccessorID! },
  policies: { list: '/v1/acl/policies', one: '/v1/acl/policy', id: (i: Item) => i.ID!, title: (i: Item) => i.Name! },
  roles: { list: '/v1/acl/roles', one: '/v1/acl/role', id: (i: Item) => i.ID!, title: (i: Item) => i.Name! },
} as const;
type Kind = keyof typeof KINDS;

const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, String(e)));
export const aclDisabled = (e?: ApiError) => e?.status === 401 && /ACL support disabled/.test(e.message);

function Disabled() {
  return <div class="notice" role="status"><strong>ACLs are disabled</strong> on this Beacon (the API answers <code>ACL support disabled</code>). Every request is allowed; there are no tokens, policies or roles to manage.</div>;
}

export function Login({ dc, onChange }: { dc: string; onChange: () => void }) {
  const self = useRead<Item>('/v1/acl/token/self', dc);
  const [secret, setSecret] = useState('');
  const login = (e: Event) => {
    e.preventDefault();
    token.set(secret.trim());
    setSecret('');
    onChange();
    self.reload();
  };
  const logout = () => {
    token.set('');
    onChange();
    self.reload();
  };
  return (
    <Page title="Log in">
      {aclDisabled(self.error) ? <Disabled /> : null}
      {token.get() && self.data ? (
        <div class="card" data-whoami>
          <p>Logged in as <strong>{self.data.Description || 'token'}</strong> (accessor <code>{self.data.AccessorID}</code>)</p>
          <p>Policies: {(self.data.Policies ?? []).map((p) => p.Name).join(', ') || 'none'}</p>
          <button onClick={logout}>Log out</button>
        </div>
      ) : (
        <form class="form" onSubmit={login} aria-label="Log in">
          {token.get() && self.error && !aclDisabled(self.error) ? <ErrorBox error={self.error} /> : null}
          <label>Token (SecretID) <input type="password" name="token" autocomplete="off" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} required /></label>
          <p class="muted">Kept only in this tab's session storage.</p>
          <button type="submit">Log in</button>
        </form>
      )}
    </Page>
  );
}

function Editor({ dc, kind, item, done }: { dc: string; kind: Kind; item: Item | null; done: () => void }) {
  const k = KINDS[kind];
  const [name, setName] = useState(item?.Name ?? '');
  const [description, setDescription] = useState(item?.Description ?? '');
  const [rules, setRules] = useState(item?.Rules ?? '');
  const [policies, setPolicies] = useState((item?.Policies ?? []).map((p) => p.Name).join(', '));
  const [error, setError] = useState<ApiError>();
  const save = async (e: Event) => {
    e.preventDefault();
    const links = policies.split(',').map((s) => s.trim()).filter(Boolean).map((Name) => ({ Name }));
    const body = kind === 'tokens' ? { Description: description, Policies: links }
      : kind === 'policies' ? { Name: name, Description: description, Rules: rules }
      : { Name: name, Description: description, Policies: links };
    try {
      await put(url(item ? `${k.one}/${k.id(item)}` : k.one, dc), JSON.stringify(body));
      done();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <form class="form" onSubmit={save} aria-label={`${item ? 'Edit' : 'Create'} ${kind.slice(0, -1)}`}>
      {kind !== 'tokens' ? <label>Name <input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label> : null}
      <label>Description <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></label>
      {kind === 'policies' ? <label>Rules (HCL or JSON) <textarea rows={8} value={rules} onInput={(e) => setRules(e.currentTarget.value)} /></label>
        : <label>Policies (names, comma-separated) <input value={policies} onInput={(e) => setPolicies(e.currentTarget.value)} /></label>}
      {error ? <ErrorBox error={error} /> : null}
      <div class="buttons"><button type="submit">Save</button> <button type="button" onClick={done}>Cancel</button></div>
    </form>
  );
}

export function AclList({ dc, kind }: { dc: string; kind: Kind }) {
  const k = KINDS[kind];
  const list = useRead<Item[]>(k.list, dc);
  const [editing, setEditing] = useState<Item | null | undefined>(undefined);
  const [error, setError] = useState<ApiError>();
  const done = () => {
    setEditing(undefined);
    list.reload();
  };
  const remove = async (i: Item) => {
    if (!confirm(`Delete ${k.title(i)}?`)) return;
    try {
      await del(url(`${k.one}/${k.id(i)}`, dc));
      list.reload();
    } catch (err) {
      setError(asError(err));
    }
  };
  const title = kind[0].toUpperCase() + kind.slice(1);
  return (
    <Page title={title} actions={editing === undefined && list.data ? <button onClick={() => setEditing(null)}>Create</button> : null}>
      <nav class="tabs" aria-label="ACL sections">
        {(Object.keys(KINDS) as Kind[]).map((x) => <a href={href(dc, 'acl', x)} aria-current={x === kind ? 'page' : undefined}>{x}</a>)}
      </nav>
      {aclDisabled(list.error) ? <Disabled /> : list.error ? <ErrorBox error={list.error} /> : !list.data ? <Loading /> : (
        <>
          {error ? <ErrorBox error={error} /> : null}
          {editing !== undefined ? <Editor dc={dc} kind={kind} item={editing} done={done} /> : null}
          <table class="table">
            <thead><tr><th>{kind === 'tokens' ? 'Description' : 'Name'}</th><th>{kind === 'tokens' ? 'Accessor' : 'Description'}</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.map((i) => (
                <tr>
                  <td>{k.title(i)}</td>
                  <td>{kind === 'tokens' ? <code>{i.AccessorID}</code> : i.Description}</td>
                  <td class="buttons"><button onClick={() => get<Item>(url(`${k.one}/${k.id(i)}`, dc)).then((a) => setEditing(a.body), (e) => setError(asError(e)))}>Edit</button> <button class="danger" onClick={() => remove(i)}>Delete</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  );
}
