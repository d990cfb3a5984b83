/**
 * The time source of shaped links (latency, bandwidth). Injected so that the simulator can
 * run links on virtual time; the default is the wall clock.
 */
export interface LinkClock {
  /** Milliseconds, monotonic enough for scheduling (Date.now() is fine). */
  now (): number
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep (ms: number): Promise<void>
}

export const systemClock: LinkClock = {
  now: () => Date.now(),
  sleep: async (ms: number) => { await new Promise<void>(resolve => setTimeout(resolve, ms)) }
}
