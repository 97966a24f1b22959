import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One connection runs one transaction at a time. The dashboard answers requests as they arrive, and
 * on PostgreSQL every statement waits on the network, so two requests' reads overlap: the second
 * waits here for the first to end (first come, first served) instead of failing. A transaction
 * started from inside another one on the same connection would wait for itself forever, so that —
 * a programming error — is refused at once.
 */
export class TxQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly als = new AsyncLocalStorage<true>();

  /** Whether the caller is inside a transaction of this queue. */
  get inside(): boolean {
    return this.als.getStore() === true;
  }

  /**
   * A statement: at once inside a transaction of this queue (the transaction's own callback), else
   * in turn after the transaction open on the connection (it would otherwise run inside it).
   */
  statement<T>(fn: () => Promise<T>): Promise<T> {
    return this.inside ? fn() : this.run(fn);
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inside) return Promise.reject(new Error('evidence store: nested transaction on one connection'));
    const turn = this.tail.then(() => this.als.run(true, fn));
    this.tail = turn.then(() => undefined, () => undefined);
    return turn;
  }
}
