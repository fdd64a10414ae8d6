import type { Clock } from '../scheduling/clock.ts';
import type { Logger } from '../home/logger.ts';
import type { StorageMonitor } from '../health/storage-health.ts';
import { writeHostState } from '../home/host-state.ts';

export interface WatchdogOptions {
  clock: Clock;
  log: Logger;
  storage: StorageMonitor;
  /** runs/_host.json: every view calls the runtime "not responding" when it is older than 5 s. */
  stateFile: string;
  /** The tick period; default 1 s. */
  periodMs?: number;
  /** A gap between wall and monotonic time larger than this is a sleep or a clock change. */
  jumpMs?: number;
  /** The machine slept or the clock moved; `awakeAt` is the last tick before. */
  onJump: (awakeAt: number) => void;
}

/**
 * The host's heartbeat: each tick writes the host-state file (the runtime's liveness for every
 * view) and compares the wall clock with the monotonic one, which notices sleep and clock changes.
 */
export class Watchdog {
  private readonly o: WatchdogOptions;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private lastWall = 0;
  private lastMono = 0;

  constructor(o: WatchdogOptions) {
    this.o = o;
  }

  /** The last moment the host is known to have been awake (its last tick). */
  get lastAwake(): number {
    return this.lastWall;
  }

  start(startedAt: number): void {
    this.startedAt = startedAt;
    this.lastWall = this.o.clock.now();
    this.lastMono = this.o.clock.monotonic();
    this.timer = setInterval(() => this.tick(), this.o.periodMs ?? 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  tick(): void {
    const wall = this.o.clock.now();
    const mono = this.o.clock.monotonic();
    const drift = wall - this.lastWall - (mono - this.lastMono);
    const awake = this.lastWall;
    this.lastWall = wall;
    this.lastMono = mono;
    if (Math.abs(drift) > (this.o.jumpMs ?? 5000)) {
      this.o.log.info(`wall clock moved ${Math.round(drift / 1000)} s against the monotonic clock (sleep or clock change): reconciling`);
      this.o.onJump(awake);
      return;
    }
    this.writeState();
  }

  /** Writes runs/_host.json now; a full disk is storage state, never an exception. */
  writeState(): void {
    const { clock, storage, stateFile } = this.o;
    try {
      writeHostState(stateFile, {
        pid: process.pid, started_at: new Date(this.startedAt).toISOString(),
        last_alive: new Date(clock.now()).toISOString(),
      });
    } catch (err) {
      if (!storage.writeFailed('runs', stateFile, err)) this.o.log.warn(`cannot write ${stateFile}: ${(err as Error).message}`);
    }
  }
}
