import type { LayerProcessName, LayerToHost } from '../../common/layer-protocol.ts';
import type { ChildHandle, ProcessLauncher } from '../runs/launcher.ts';
import { forkLayer } from './layer-process.ts';
import { STANDBY_ENV } from '../layers/standby.ts';
import type { Logger } from '../home/logger.ts';

export interface StandbyOptions {
  name: LayerProcessName;
  modulePath: string;
  launcher: ProcessLauncher;
  env: NodeJS.ProcessEnv;
  nice: number;
  log: Logger;
}

const REFILL_FIRST_MS = 1000;
const REFILL_MAX_MS = 30_000;

/**
 * One warm standby of a layer: a process booted with every module loaded that waits for
 * `activate` (main/core/layers/standby.ts). The supervisor takes it when the active layer is gone
 * and asks for the next one once the new active layer is ready, so booting never sits on the
 * recovery path. A standby that dies before it is taken is replaced, with backoff if it keeps
 * dying (a broken install must not become a fork loop).
 */
export class LayerStandby {
  private child: ChildHandle | null = null;
  private warm = false;
  private stopped = false;
  private refillTimer: NodeJS.Timeout | undefined;
  private deaths = 0;
  private readonly o: StandbyOptions;

  constructor(o: StandbyOptions) {
    this.o = o;
  }

  /** The standby's pid once it is warm (booted, waiting for `activate`). */
  get warmPid(): number | undefined {
    return this.warm ? this.child?.pid : undefined;
  }

  /** Starts a standby in the background unless one is there (warm or booting) or due. */
  fill(): void {
    if (this.stopped || this.child || this.refillTimer) return;
    let child: ChildHandle;
    try {
      child = forkLayer(this.o.launcher, this.o.modulePath, this.o.name, { ...this.o.env, [STANDBY_ENV]: '1' }, this.o.nice, this.o.log);
    } catch (err) {
      this.o.log.warn(`${this.o.name} standby: could not start: ${(err as Error).message}`);
      this.retryLater();
      return;
    }
    this.child = child;
    this.warm = false;
    child.onMessage((m) => {
      if (this.child === child && (m as LayerToHost)?.type === 'standby') {
        this.warm = true;
        this.deaths = 0;
      }
    });
    child.onExit(({ code, signal }) => {
      if (this.child !== child) return; // taken: the supervisor watches it now
      this.child = null;
      this.warm = false;
      if (this.stopped) return;
      this.o.log.warn(`${this.o.name} standby ended (${signal ?? `code ${code}`}); starting another`);
      this.retryLater();
    });
  }

  /** The warm standby, now the caller's to activate and watch; null if none is ready. */
  take(): ChildHandle | null {
    if (!this.child || !this.warm) return null;
    const child = this.child;
    this.child = null;
    this.warm = false;
    return child;
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.refillTimer);
    const child = this.child;
    this.child = null;
    if (!child) return Promise.resolve();
    return new Promise((resolve) => {
      child.onExit(() => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    });
  }

  private retryLater(): void {
    const delay = Math.min(REFILL_MAX_MS, REFILL_FIRST_MS * 2 ** this.deaths++);
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.fill();
    }, delay);
    this.refillTimer.unref();
  }
}
