import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LayerHealth, LayerStatus } from '../../common/health.js';
import type { HostToLayer, LayerProcessName, LayerToHost } from '../../common/layer-protocol.ts';
import type { Clock } from '../scheduling/clock.ts';
import { appendJsonl, rotateIfLarge } from '../home/jsonl.ts';
import type { ChildHandle, ProcessLauncher } from '../runs/launcher.ts';
import { forkLayer } from './layer-process.ts';
import { LayerStandby } from './layer-standby.ts';
import { STANDBY_ENV } from '../layers/standby.ts';
import type { Logger } from '../home/logger.ts';
import { probeHttp } from './probe.ts';
import { DEFAULT_LIVENESS, judgeSilence, type LivenessOptions } from './liveness.ts';
import { processActivity } from './process-activity.ts';
import { decideRestart } from './restart-policy.ts';
import type { LayerTransition } from '../health/status-report.ts';

const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
export const LAYER_MODULES: Record<LayerProcessName, string> = {
  gateway: fileURLToPath(new URL(`../layers/gateway/gateway${EXT}`, import.meta.url)),
  session: fileURLToPath(new URL(`../layers/session/session${EXT}`, import.meta.url)),
};

export interface SupervisorOptions {
  launcher: ProcessLauncher;
  logger: Logger;
  clock: Clock;
  healthDir: string;
  env: NodeJS.ProcessEnv;
  ports: Record<LayerProcessName, number>;
  /** First restart delay in a crash loop; doubles per crash in a row up to maxBackoffMs (restart-policy.ts). */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** Up this long, a layer's crash count resets. */
  stableMs?: number;
  probeEveryMs?: number;
  probeTimeoutMs?: number;
  /** Probes in a row refused (nothing listens on its port) that get a layer that says it is alive replaced. */
  probeFailures?: number;
  /** This long without an `alive` message from the layer: the OS is asked whether it is hung or starved (liveness.ts). */
  silentMs?: number;
  /** The rest of the hang verdict (liveness.ts). */
  liveness?: Partial<Omit<LivenessOptions, 'silentMs'>>;
  /** Keep a warm standby of each layer (layer-standby.ts); false starts a new process at each restart. */
  standby?: boolean;
  /** Messages in flight to a layer before further ones are dropped (counted). */
  queueCap?: number;
  /** Scheduling priority of the layer processes (0 = as the host, 19 = lowest). */
  layerNice?: number;
}

interface LayerRun {
  name: LayerProcessName;
  child: ChildHandle | null;
  health: LayerHealth;
  ready: boolean;
  port: number;
  /** Crashes in a row (restart-policy.ts). */
  crashes: number;
  readySince: number;
  /** Monotonic time of the layer's last `alive` message (or of its start). */
  aliveAt: number;
  /** The CPU time (ms) its last `alive` reported, and how late that tick came. */
  cpuAtAlive: number | null;
  delayMs: number;
  /** The OS is being asked about a silent layer (liveness.ts). */
  judging: boolean;
  standby: LayerStandby | null;
  /** Probes in a row that found nothing listening on its port. */
  probeRefusals: number;
  probing: boolean;
  restartTimer?: NodeJS.Timeout;
  inFlight: number;
  dropped: number;
  lastFatal?: string;
  /** Why the supervisor is replacing it, if it is. */
  replacing: 'hung' | 'overloaded' | 'not-listening' | null;
  /** Starts in a row that never became ready. */
  startFailures: number;
}

const FAILED_AFTER = 3;

export type SupervisorEvents = {
  transition: [LayerTransition];
  message: [LayerProcessName, LayerToHost];
  ready: [LayerProcessName];
};

/**
 * Keeps the gateway and session processes alive: a layer killed after it served is replaced at
 * once by its warm standby (no Node boot on the way), a crash loop backs off (restart-policy.ts),
 * a hung layer (silent on IPC while stopped or burning CPU: liveness.ts) is replaced, and every
 * state change is recorded in health/layers.jsonl. Nothing here is awaited by a skill run.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly layers = new Map<LayerProcessName, LayerRun>();
  private readonly o: Required<SupervisorOptions>;
  private readonly live: LivenessOptions;
  private readonly log: Logger;
  private probeTimer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private stopped = false;
  readonly transitions: LayerTransition[] = [];

  constructor(opts: SupervisorOptions) {
    super();
    this.o = {
      firstBackoffMs: 100, maxBackoffMs: 5000, stableMs: 5_000, probeEveryMs: 250, probeTimeoutMs: 500,
      probeFailures: 10, silentMs: 1000, liveness: {}, standby: true, queueCap: 1000, layerNice: 19, ...opts,
    };
    this.live = { ...DEFAULT_LIVENESS, ...this.o.liveness, silentMs: this.o.silentMs };
    this.log = opts.logger.child('supervisor');
  }

  get file(): string {
    return join(this.o.healthDir, 'layers.jsonl');
  }

  start(): void {
    for (const name of ['gateway', 'session'] as const) {
      const standby = this.o.standby ? new LayerStandby({
        name, modulePath: LAYER_MODULES[name], launcher: this.o.launcher, env: this.o.env, nice: this.o.layerNice,
        log: this.log,
      }) : null;
      const run: LayerRun = {
        name, child: null, health: { status: 'restarting', since: this.iso(), reason: 'starting' }, ready: false,
        port: this.o.ports[name], crashes: 0, readySince: 0, aliveAt: 0, cpuAtAlive: null, delayMs: 0, judging: false,
        standby, probeRefusals: 0, probing: false, inFlight: 0, dropped: 0, replacing: null, startFailures: 0,
      };
      this.layers.set(name, run);
      this.record(run, 'restarting', 'starting');
      this.launch(run);
    }
    this.probeTimer = setInterval(() => this.probeAll(), this.o.probeEveryMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.probeTimer);
    const exits: Promise<void>[] = [];
    for (const run of this.layers.values()) {
      clearTimeout(run.restartTimer);
      if (run.standby) exits.push(run.standby.stop());
      const child = run.child;
      if (!child) continue;
      exits.push(new Promise((resolve) => {
        child.onExit(() => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }));
    }
    await Promise.all(exits);
  }

  health(name: LayerProcessName): LayerHealth {
    return this.layers.get(name)?.health ?? { status: 'failed', since: this.iso(), reason: 'not started' };
  }

  pid(name: LayerProcessName): number | undefined {
    return this.layers.get(name)?.child?.pid;
  }

  /** The pid of the layer's warm standby, if one is ready to take over. */
  standbyPid(name: LayerProcessName): number | undefined {
    return this.layers.get(name)?.standby?.warmPid;
  }

  port(name: LayerProcessName): number {
    return this.layers.get(name)?.port ?? this.o.ports[name];
  }

  dropped(name: LayerProcessName): number {
    return this.layers.get(name)?.dropped ?? 0;
  }

  /** Fire and forget: dropped (and counted) while the layer is away or its queue is full. */
  send(name: LayerProcessName, msg: HostToLayer): boolean {
    const run = this.layers.get(name);
    if (!run?.child || !run.ready || run.inFlight >= this.o.queueCap) {
      if (run) run.dropped++;
      return false;
    }
    run.inFlight++;
    try {
      run.child.send(msg, () => run.inFlight--);
    } catch {
      run.inFlight--;
      run.dropped++;
      return false;
    }
    return true;
  }

  private iso(): string {
    return new Date(this.o.clock.now()).toISOString();
  }

  private record(run: LayerRun, status: LayerStatus, reason: string, down?: { cause: string; restartInMs: number }): void {
    run.health = { status, since: this.iso(), reason };
    const t: LayerTransition = { layer: run.name, status, at: run.health.since, reason, ...down };
    this.transitions.push(t);
    if (this.transitions.length > 5000) this.transitions.splice(0, 1000);
    try {
      rotateIfLarge(this.file, 1024 * 1024);
      appendJsonl(this.file, t);
    } catch (err) {
      this.log.warn(`cannot write ${this.file}: ${(err as Error).message}`);
    }
    this.emit('transition', t);
  }

  private launch(run: LayerRun): void {
    if (this.stopped) return;
    // A warm standby takes over in milliseconds; without one (none yet, or it died) a new process boots.
    let child = run.standby?.take() ?? null;
    const tookOver = child !== null;
    if (child) {
      child.send({ type: 'activate', ports: { gateway: this.port('gateway'), session: this.port('session') } } satisfies HostToLayer);
    } else {
      const env: NodeJS.ProcessEnv = {
        ...this.o.env, CLAWKEEPER_GATEWAY_PORT: String(this.port('gateway')),
        CLAWKEEPER_SESSION_PORT: String(this.port('session')),
      };
      delete env[STANDBY_ENV]; // only a standby waits for `activate`
      try {
        child = forkLayer(this.o.launcher, LAYER_MODULES[run.name], run.name, env, this.o.layerNice, this.log);
      } catch (err) {
        this.onDown(run, `could not start: ${(err as Error).message}`, null);
        return;
      }
    }
    run.child = child;
    run.ready = false;
    run.probeRefusals = 0;
    run.cpuAtAlive = null;
    run.inFlight = 0;
    run.lastFatal = undefined;
    run.aliveAt = this.o.clock.monotonic();
    child.onMessage((m) => {
      const msg = m as LayerToHost;
      if (run.child !== child) return;
      run.aliveAt = this.o.clock.monotonic();
      if (msg?.type === 'alive') {
        run.cpuAtAlive = msg.cpuMs ?? null;
        run.delayMs = msg.delayMs ?? 0;
        return;
      }
      if (msg?.type === 'standby') return;
      if (msg?.type === 'ready') {
        run.ready = true;
        run.readySince = this.o.clock.monotonic();
        run.startFailures = 0;
        // Port 0 (tests) means "any free port": keep the one the layer got.
        if (this.o.ports[run.name] === 0 || run.port === 0) run.port = msg.port;
        this.record(run, 'ok', `listening on 127.0.0.1:${msg.port}${tookOver ? ' (a warm standby took over)' : ''}`);
        this.emit('ready', run.name);
        // The next standby boots now, in the background, while this one serves.
        run.standby?.fill();
      } else if (msg?.type === 'fatal') {
        run.lastFatal = msg.message;
        this.log.error(`${run.name}: ${msg.message}`);
      } else if (msg) {
        this.emit('message', run.name, msg);
      }
    });
    child.onExit(({ code, signal }) => {
      if (run.child !== child) return;
      run.child = null;
      const wasReady = run.ready;
      run.ready = false;
      if (this.stopped) return;
      const replaced = run.replacing;
      this.onDown(
        run, run.lastFatal ?? (signal ? `killed by ${signal}` : `exited with code ${code}`), wasReady ? signal : null,
        replaced !== null && replaced !== 'overloaded', run.lastFatal !== undefined && replaced === null,
      );
      run.replacing = null;
    });
  }

  /**
   * A layer that went away is `restarting` while the supervisor brings it back by itself; it is
   * `failed` once it was hung, or after FAILED_AFTER starts in a row that never became ready
   * (its port taken, a broken install): then a person may have to act. When it comes back is
   * restart-policy.ts's call: at once after a kill from outside, with backoff in a crash loop.
   * `signal` is the signal that ended a layer that had been ready, else null.
   */
  private onDown(run: LayerRun, reason: string, signal: string | null, hung = false, fatal = false): void {
    const upMs = run.readySince ? this.o.clock.monotonic() - run.readySince : 0;
    if (run.readySince === 0) run.startFailures++;
    const d = decideRestart({ wasReady: run.readySince !== 0, upMs, signal, fatal, crashes: run.crashes }, this.o);
    run.readySince = 0;
    run.crashes = d.crashes;
    // A layer that said why it cannot run (its port is taken) will not fix itself: failed at once.
    const status: LayerStatus = hung || fatal || run.startFailures >= FAILED_AFTER ? 'failed' : 'restarting';
    const when = d.delayMs === 0 ? 'restart now' : `crash #${d.crashes} in a row; restart in ${d.delayMs} ms`;
    this.record(run, status, `${reason}; ${when}`, { cause: reason, restartInMs: d.delayMs });
    this.log.warn(`${run.name} down (${reason}); ${when}`);
    if (d.delayMs === 0) return this.launch(run);
    run.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      this.launch(run);
    }, d.delayMs);
  }

  /**
   * Hung (SIGSTOP, a busy loop, a wedged event loop): replaced. The evidence is the layer's own
   * IPC channel, which no load on its sockets can refuse: once it has said nothing for silentMs,
   * the OS says whether it is stopped, burning CPU without turning its event loop (hung), or only
   * starved of CPU by other processes (busy: left alone; liveness.ts). Its socket is probed only
   * to find a layer that says it is alive while nothing listens on its port. A tick that comes
   * late means the host itself was blocked and its evidence is stale: no verdict then.
   */
  private probeAll(): void {
    const now = this.o.clock.monotonic();
    const late = this.lastTick !== 0 && now - this.lastTick > this.o.probeEveryMs + 250;
    this.lastTick = now;
    for (const run of this.layers.values()) {
      if (!run.child || !run.ready || run.replacing) continue;
      if (!late && now - run.aliveAt >= this.live.silentMs) this.judge(run);
      if (run.probeRefusals >= this.o.probeFailures) {
        this.replace(
          run, 'not-listening',
          `${run.probeRefusals} connections to 127.0.0.1:${run.port} refused in a row: nothing listens there`,
        );
        continue;
      }
      if (run.probing) continue;
      run.probing = true;
      const child = run.child;
      void probeHttp(run.port, '/health', this.o.probeTimeoutMs).then((r) => {
        run.probing = false;
        if (run.child !== child || this.stopped) return;
        // Only "refused" counts: a timeout or a reset is what load looks like, and proves nothing.
        run.probeRefusals = r.refused ? run.probeRefusals + 1 : 0;
      });
    }
  }

  /** Asks the OS about a silent layer, then replaces it if liveness.ts finds it hung (or starved far too long). */
  private judge(run: LayerRun): void {
    const child = run.child;
    if (run.judging || !child?.pid) return;
    run.judging = true;
    void processActivity(child.pid).then((activity) => {
      run.judging = false;
      if (run.child !== child || this.stopped || run.replacing) return;
      const v = judgeSilence(this.o.clock.monotonic() - run.aliveAt, activity, run.cpuAtAlive, this.live);
      if (v) this.replace(run, v.kind, v.why);
    });
  }

  private replace(run: LayerRun, kind: 'hung' | 'overloaded' | 'not-listening', why: string): void {
    // SIGKILL works on a stopped process too; the exit handler then brings in the standby.
    const reason = kind === 'hung' ? `hung: ${why}` : kind === 'overloaded' ? `replaced under load: ${why}` : `not serving: ${why}`;
    this.log.warn(`${run.name} ${reason}; replacing it`);
    run.lastFatal = reason;
    run.replacing = kind;
    run.child?.kill('SIGKILL');
  }
}
