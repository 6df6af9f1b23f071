// Plain calls to one object that arrive while an RPC to it is in flight go together in the next RPC: the
// per-call cost of an RPC (a large share of a plain KV put or read on workerd's one thread) is paid once
// per batch. Each call keeps its own answer, and a batch is only sent after every call in it was made (why
// reads stay linearizable: docs/api.md, "Coalesced fast-path calls").
//
// workerd runs a promise's continuation in the request that resolved it, and I/O done there is that
// request's. So a batch is always sent by a call from its own request: either one that finds no RPC in
// flight, or the first call waiting (the head), which wakes on timers of its own until the RPC in flight
// is answered. The others are woken with their answers only; the fast paths read their request's body
// before they call, so nothing they do after waking is I/O.

/** Builds a call's HTTP answer; a call woken by another request must build it with this (see `respond`). */
export type Respond = (body: string | Uint8Array<ArrayBuffer> | null, init: ResponseInit) => Response;

const direct: Respond = (body, init) => new Response(body, init);
const encoder = new TextEncoder();

/**
 * A Response built outside this request that workerd still lets this request send: its body is a stream
 * made here, now (a body made from a string belongs to the request that made it).
 */
function ownBody(): Respond {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return (body, init) => {
    if (body === null) return new Response(null, init);
    controller.enqueue(typeof body === 'string' ? encoder.encode(body) : body);
    controller.close();
    return new Response(stream, init);
  };
}

/** Sends the arguments of a batch, in order, and answers each in the same order. */
export type SendBatch<A, R> = (args: A[]) => Promise<R[]>;

type Answer<R> = { result: R } | { error: unknown };

interface Waiter<A, R> {
  arg: A;
  answer?: Answer<R>;
  settle(answer: Answer<R>): void;
}

interface Lane<A, R> {
  inFlight: boolean;
  /** Calls waiting for the next batch; the first of them (the head) sends it. */
  queue: Waiter<A, R>[];
}

/** A waiting call that is not answered in this long gives up (its batch's request was cancelled). */
export const STALLED_MS = 30_000;

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class RpcBatch<A, R> {
  private readonly lanes = new Map<string, Lane<A, R>>();
  /** RPCs sent and calls answered through them (tests and benchmarks read these). */
  readonly stats = { batches: 0, calls: 0 };

  /** `arg`'s answer, sent alone when no RPC to `object` is in flight, else with the calls waiting beside it. */
  async call(object: string, arg: A, send: SendBatch<A, R>): Promise<{ value: R; respond: Respond }> {
    let lane = this.lanes.get(object);
    if (!lane) this.lanes.set(object, (lane = { inFlight: false, queue: [] }));
    const me = this.waiter(arg);
    if (!lane.inFlight) return { value: await this.lead(lane, [me.waiter, ...lane.queue.splice(0)], send), respond: direct };
    lane.queue.push(me.waiter);
    if (lane.queue.length > 1) {
      const respond = ownBody();
      return { value: this.unwrap(await me.answered), respond };
    }
    const started = Date.now();
    while (!me.waiter.answer) {
      await nextTurn();
      if (me.waiter.answer) break;
      if (!lane.inFlight && lane.queue[0] === me.waiter) return { value: await this.lead(lane, lane.queue.splice(0), send), respond: direct };
      if (Date.now() - started > STALLED_MS) {
        lane.inFlight = false;
        throw new Error(`no answer from the batched RPC to ${object} within ${STALLED_MS} ms`);
      }
    }
    return { value: this.unwrap(me.waiter.answer), respond: direct };
  }

  private waiter(arg: A): { waiter: Waiter<A, R>; answered: Promise<Answer<R>> } {
    let settle!: (answer: Answer<R>) => void;
    const answered = new Promise<Answer<R>>((resolve) => (settle = resolve));
    // The timer is also a pending event of this call's own request: workerd cancels as hung a request
    // that only waits on a promise another request resolves.
    const stalled = setTimeout(() => waiter.settle({ error: new Error(`no answer from a batched RPC within ${STALLED_MS} ms`) }), STALLED_MS);
    const waiter: Waiter<A, R> = {
      arg,
      settle(answer) {
        if (waiter.answer) return;
        clearTimeout(stalled);
        waiter.answer = answer;
        settle(answer);
      },
    };
    return { waiter, answered };
  }

  /** Sends `batch` (this call first), then answers the others; the lane's head sends the next batch. */
  private async lead(lane: Lane<A, R>, batch: Waiter<A, R>[], send: SendBatch<A, R>): Promise<R> {
    lane.inFlight = true;
    this.stats.batches++;
    this.stats.calls += batch.length;
    let answer: (i: number) => Answer<R>;
    try {
      const results = await send(batch.map((w) => w.arg));
      answer = (i) => ({ result: results[i] });
    } catch (error) {
      answer = () => ({ error });
    }
    lane.inFlight = false;
    for (let i = 1; i < batch.length; i++) batch[i].settle(answer(i));
    batch[0].settle(answer(0));
    return this.unwrap(answer(0));
  }

  private unwrap(answer: Answer<R>): R {
    if ('error' in answer) throw answer.error;
    return answer.result;
  }
}
