/**
 * Node 20 lacks `Promise.withResolvers` (Node >= 22), which the js-libp2p v3 stack calls.
 * Without it a dial fails with a misleading ECONNRESET. Import this module first in every
 * entry point (the CLI, benches) and as a vitest setup file.
 * See ../shared/recipes/libp2p-v3-on-node20.md.
 */
interface Resolvers<T> { promise: Promise<T>, resolve: (v: T | PromiseLike<T>) => void, reject: (e?: unknown) => void }

const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> }
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T> (): Resolvers<T> {
    let resolve!: Resolvers<T>['resolve']
    let reject!: Resolvers<T>['reject']
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}

export {}
