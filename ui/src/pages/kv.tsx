// KV: folders with breadcrumbs; create, edit and delete keys and folders. Every save is a CAS write
// (?cas=<ModifyIndex>, 0 for a new key): when someone else saved first, the conflict is shown with
// their newer value instead of overwriting it. JSON can be checked and pretty-printed before saving.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, b64decode, del, get, put, url } from '../api';
import { ErrorBox, Loading, Page } from '../components';
import { useAllowed, useRead } from '../live';
import { href } from '../router';

interface KvEntry {
  Key: string;
  Value: string | null;
  Flags: number;
  LockIndex: number;
  Session?: string;
  ModifyIndex: number;
}

const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, String(e)));

function Breadcrumbs({ dc, path }: { dc: string; path: string }) {
  const parts = path.split('/').filter(Boolean);
  const isFolder = path === '' || path.endsWith('/');
  return (
    <nav aria-label="Breadcrumbs" class="crumbs">
      <a href={href(dc, 'kv')}>Key / Value</a>
      {parts.map((p, i) => {
        const last = i === parts.length - 1;
        const target = parts.slice(0, i + 1).join('/') + (last && !isFolder ? '' : '/');
        return <> / {last ? <span aria-current="page">{p}</span> : <a href={href(dc, 'kv', target)}>{p}</a>}</>;
      })}
    </nav>
  );
}

function Folder({ dc, prefix }: { dc: string; prefix: string }) {
  const keys = useRead<string[]>(`/v1/kv/${prefix}?keys&separator=/`, dc);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [folder, setFolder] = useState(false);
  const [error, setError] = useState<ApiError>();
  const missing = keys.error?.status === 404;
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const key = prefix + name.replace(/^\/+/, '') + (folder && !name.endsWith('/') ? '/' : '');
    try {
      const { body } = await put<boolean>(url(`/v1/kv/${key}`, dc, { cas: 0 }), folder ? '' : value);
      if (body !== true) return setError(new ApiError(409, `${key} already exists`));
      location.hash = href(dc, 'kv', key);
    } catch (err) {
      setError(asError(err));
    }
  };
  const removeFolder = async () => {
    if (!confirm(`Delete ${prefix} and every key under it?`)) return;
    try {
      await del(url(`/v1/kv/${prefix}`, dc, { recurse: '' }));
      location.hash = href(dc, 'kv', prefix.split('/').slice(0, -2).join('/') + (prefix.split('/').length > 2 ? '/' : ''));
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <>
      {keys.error && !missing ? <ErrorBox error={keys.error} /> : !keys.data && !missing ? <Loading /> : (
        <ul class="kv-keys" aria-label="Keys">
          {(keys.data ?? []).filter((k) => k !== prefix).map((k) => (
            <li><a href={href(dc, 'kv', k)} class={k.endsWith('/') ? 'folder' : 'key'}>{k.slice(prefix.length)}</a></li>
          ))}
          {missing || !keys.data?.filter((k) => k !== prefix).length ? <li class="muted">No keys here.</li> : null}
        </ul>
      )}
      <form class="form" onSubmit={create} aria-label="Create">
        <h2>Create</h2>
        <label>Key or folder name <input required value={name} onInput={(e) => setName(e.currentTarget.value)} name="key" /></label>
        <label class="inline"><input type="checkbox" checked={folder} onChange={(e) => setFolder(e.currentTarget.checked)} /> Folder</label>
        {!folder ? <label>Value <textarea rows={4} value={value} onInput={(e) => setValue(e.currentTarget.value)} name="value" /></label> : null}
        {error ? <ErrorBox error={error} /> : null}
        <button type="submit">Save</button>
      </form>
      {prefix ? <button class="danger" onClick={removeFolder}>Delete folder</button> : null}
    </>
  );
}

function Key({ dc, path }: { dc: string; path: string }) {
  const read = useRead<KvEntry[]>(`/v1/kv/${path}`, dc);
  const entry = read.data?.[0];
  const [value, setValue] = useState('');
  const [flags, setFlags] = useState(0);
  const [base, setBase] = useState(0);
  const [conflict, setConflict] = useState<KvEntry | null>(null);
  const [error, setError] = useState<ApiError>();
  const [note, setNote] = useState('');
  const [holder, setHolder] = useState('');
  useEffect(() => {
    if (!entry) return;
    setValue(b64decode(entry.Value));
    setFlags(entry.Flags);
    setBase(entry.ModifyIndex);
    if (entry.Session) {
      get<{ Node: string; Name: string }[]>(url(`/v1/session/info/${entry.Session}`, dc)).then(
        (a) => setHolder(a.body[0] ? `${entry.Session} (node ${a.body[0].Node}${a.body[0].Name ? `, ${a.body[0].Name}` : ''})` : entry.Session!),
        () => setHolder(entry.Session!),
      );
    } else setHolder('');
  }, [entry]);
  if (read.error) return <ErrorBox error={read.error} />;
  if (!entry) return <Loading />;
  const json = () => {
    try {
      setValue(JSON.stringify(JSON.parse(value), null, 2));
      setNote('Valid JSON.');
    } catch (err) {
      setNote(`Not valid JSON: ${(err as Error).message}`);
    }
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setNote('');
    try {
      const { body } = await put<boolean>(url(`/v1/kv/${path}`, dc, { cas: base, flags }), value);
      if (body === true) {
        setConflict(null);
        setNote('Saved.');
        read.reload();
        return;
      }
      const newer = await get<KvEntry[]>(url(`/v1/kv/${path}`, dc));
      setConflict(newer.body[0]);
    } catch (err) {
      setError(asError(err));
    }
  };
  const remove = async () => {
    if (!confirm(`Delete ${path}?`)) return;
    try {
      const { body } = await del<boolean>(url(`/v1/kv/${path}`, dc, { cas: base }));
      if (body !== true) {
        const newer = await get<KvEntry[]>(url(`/v1/kv/${path}`, dc));
        return setConflict(newer.body[0]);
      }
      const parent = path.split('/').slice(0, -1).join('/');
      location.hash = href(dc, 'kv', parent ? parent + '/' : '');
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <form class="form" onSubmit={save} aria-label="Edit key">
      <p class="muted">
        Flags {entry.Flags} · Modify index {entry.ModifyIndex} · Lock index {entry.LockIndex} · Lock holder: <span data-holder>{holder || 'none'}</span>
      </p>
      <label>Value <textarea rows={10} name="value" value={value} onInput={(e) => setValue(e.currentTarget.value)} /></label>
      <label>Flags <input type="number" min={0} value={flags} onInput={(e) => setFlags(Number(e.currentTarget.value))} /></label>
      {conflict ? (
        <div class="error conflict" role="alert">
          <strong>Conflict: this key was changed by someone else since you opened it.</strong>
          <div>Newer value (modify index {conflict.ModifyIndex}):</div>
          <pre class="newer">{b64decode(conflict.Value)}</pre>
          <button type="button" onClick={() => { setValue(b64decode(conflict.Value)); setBase(conflict.ModifyIndex); setConflict(null); }}>Use the newer value</button>{' '}
          <button type="button" onClick={() => { setBase(conflict.ModifyIndex); setConflict(null); }}>Keep mine (save again to overwrite)</button>
        </div>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      {note ? <p role="status">{note}</p> : null}
      <div class="buttons">
        <button type="submit">Save</button>
        <button type="button" onClick={json}>Validate and format JSON</button>
        <button type="button" class="danger" onClick={remove}>Delete</button>
      </div>
    </form>
  );
}

export function Kv({ dc, path }: { dc: string; path: string }) {
  const isFolder = path === '' || path.endsWith('/');
  const writable = useAllowed(dc, 'key', path, 'write');
  return (
    <Page title="Key / Value">
      <Breadcrumbs dc={dc} path={path} />
      {writable === false ? <p class="notice" data-readonly>Read only: your token may not write {path ? <code>{path}</code> : 'keys here'}.</p> : null}
      {isFolder ? <Folder dc={dc} prefix={path} key={path} /> : <Key dc={dc} path={path} key={path} />}
    </Page>
  );
}
