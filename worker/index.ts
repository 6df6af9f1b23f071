export default {
  fetch() { return new Response('ok'); },
};
export { Datacenter } from '../durable-objects/datacenter';
