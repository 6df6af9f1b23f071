// /v1/status: the raft leader and peers. A Durable Object is always its own leader.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { endpoint } from '../http/endpoint';
import { json } from '../http/meta';

export const status = new Hono<AppEnv>();

const serverAddress = (c: { env: AppEnv['Bindings'] }) => `${c.env.AGENT_ADDRESS || '127.0.0.1'}:8300`;

endpoint(status, ['GET'], '/leader', (c) => json(c, serverAddress(c)));
endpoint(status, ['GET'], '/peers', (c) => json(c, [serverAddress(c)]));
