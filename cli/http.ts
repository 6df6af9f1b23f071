// The HTTP side every command shares: Consul's -http-addr/-token/-token-file/-datacenter/-stale flags and
// CONSUL_HTTP_* variables (a flag beats its variable, a token file beats a token), and one request helper
// whose failures read like the Go client's (`Unexpected response code: 500 (reason)`).
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';

export interface HttpFlags {
  httpAddr?: string;
  token?: string;
  tokenFile?: string;
  datacenter?: string;
  stale?: boolean;
}

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function withHttpFlags(cmd: Command, { datacenter = true } = {}): Command {
  cmd
    .addOption(new Option('--http-addr <address>', 'The address and port of the Consul-compatible HTTP agent (CONSUL_HTTP_ADDR)'))
    .addOption(new Option('--token <value>', 'ACL token to use in the request (CONSUL_HTTP_TOKEN)'))
    .addOption(new Option('--token-file <path>', 'File containing the ACL token (CONSUL_HTTP_TOKEN_FILE)'));
  if (datacenter) {
    cmd.addOption(new Option('--datacenter <name>', 'Name of the datacenter to query'));
    cmd.addOption(new Option('--stale', 'Permit any server to answer (?stale)'));
  }
  return cmd;
}

export class Client {
  readonly base: string;
  readonly token: string;
  constructor(readonly flags: HttpFlags, env: NodeJS.ProcessEnv = process.env) {
    let addr = flags.httpAddr ?? env.CONSUL_HTTP_ADDR ?? '127.0.0.1:8500';
    if (!/^[a-z]+:\/\//.test(addr)) addr = `${/^(1|true)$/i.test(env.CONSUL_HTTP_SSL ?? '') ? 'https' : 'http'}://${addr}`;
    if (addr.startsWith('unix://')) throw new CliError('unix:// addresses are not supported by beacon');
    this.base = addr.replace(/\/+$/, '');
    const file = flags.tokenFile ?? (flags.token === undefined ? env.CONSUL_HTTP_TOKEN_FILE : undefined);
    this.token = file ? readFileSync(file, 'utf8').trim() : (flags.token ?? env.CONSUL_HTTP_TOKEN ?? '');
  }

  /** Sends one request; `query` values of `true` become bare flags (`?recurse`). Non-2xx throws. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const res = await this.raw(method, path, options);
    if (!res.ok && !(options.allow404 && res.status === 404)) {
      const text = (await res.text()).trim();
      throw new CliError(`Unexpected response code: ${res.status} (${text})`);
    }
    return res;
  }

  async raw(method: string, path: string, { query = {}, body, signal, token }: RequestOptions = {}): Promise<Response> {
    const params: string[] = [];
    const all: Record<string, string | boolean | undefined> = { ...query };
    if (this.flags.datacenter && all.dc === undefined) all.dc = this.flags.datacenter;
    if (this.flags.stale && all.stale === undefined) all.stale = true;
    for (const [k, v] of Object.entries(all)) {
      if (v === undefined || v === false) continue;
      params.push(v === true ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    }
    const url = `${this.base}${path}${params.length ? `${path.includes('?') ? '&' : '?'}${params.join('&')}` : ''}`;
    const secret = token || this.token;
    const headers: Record<string, string> = secret ? { 'X-Consul-Token': secret } : {};
    const payload = body === undefined || typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    try {
      return await fetch(url, { method, headers, body: payload as BodyInit | undefined, signal });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new CliError(`${method} ${url}: ${cause}`);
    }
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ value: T; index: string }> {
    const res = await this.request(method, path, options);
    const text = await res.text();
    return { value: (text ? JSON.parse(text) : null) as T, index: res.headers.get('X-Consul-Index') ?? '0' };
  }

  async get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return (await this.json<T>('GET', path, { query })).value;
  }

  /** The agent's node name, as Consul's watch/lock/maint/event look it up first. */
  async nodeName(): Promise<string> {
    const self = await this.get<{ Config?: { NodeName?: string } }>('/v1/agent/self');
    return self.Config?.NodeName ?? '';
  }
}

export interface RequestOptions {
  query?: Record<string, string | boolean | undefined>;
  body?: unknown;
  allow404?: boolean;
  signal?: AbortSignal;
  /** Overrides the client's token for this request (a service file's `token`). */
  token?: string;
}

export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
