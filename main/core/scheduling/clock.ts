/**
 * Wall time (what schedules are written in) and monotonic time (which does not jump). The host
 * compares the two to see sleep and clock changes; tests pass a fake one.
 */
export interface Clock {
  now(): number;
  monotonic(): number;
  /**
   * A one-shot timer of `ms` on this clock's monotonic time (as Node's timers: a suspended
   * machine does not bring it closer); returns what cancels it. Absent: Node's setTimeout.
   */
  setTimer?(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** A timer on `clock` (its own when it has one, else Node's); returns what cancels it. */
export function startTimer(clock: Clock, fn: () => void, ms: number): () => void {
  if (clock.setTimer) return clock.setTimer(fn, ms);
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
}

/**
 * A clock a test moves by hand. Its timers (`setTimer`) fire only inside `advance`, in time
 * order, each with the clocks set to its due time; code that waits for one (a retry's backoff)
 * needs the test to advance past it.
 */
export class FakeClock implements Clock {
  private wall: number;
  private mono = 0;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  constructor(start: number | string | Date) {
    this.wall = new Date(start).getTime();
  }
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.mono + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
  /** Timers not fired yet. */
  get pendingTimers(): number {
    return this.timers.length;
  }
  /** Time passing while awake: both clocks advance, and the timers due meanwhile fire in order. */
  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next || next.at > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.wall += next.at - this.mono;
      this.mono = next.at;
      next.fn();
    }
    this.wall += target - this.mono;
    this.mono = target;
  }
  /** A suspended machine: the wall clock moves on, the monotonic clock (and its timers) stand still. */
  sleep(ms: number): void {
    this.wall += ms;
  }
}
