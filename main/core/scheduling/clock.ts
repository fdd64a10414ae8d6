/**
 * Wall time (what schedules are written in) and monotonic time (which does not jump). The host
 * compares the two to see sleep and clock changes; tests pass a fake one.
 */
export interface Clock {
  now(): number;
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

export class FakeClock implements Clock {
  private wall: number;
  private mono = 0;
  constructor(start: number | string | Date) {
    this.wall = new Date(start).getTime();
  }
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  /** Time passing while awake: both clocks advance. */
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  /** A suspended machine: the wall clock moves on, the monotonic clock stands still. */
  sleep(ms: number): void {
    this.wall += ms;
  }
}
