// Wrangler's entry point: the HTTP app, and the Durable Object class it binds.
import { app } from './app';

export default app;
export { Datacenter } from '../durable-objects/datacenter';
