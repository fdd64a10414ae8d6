import { EventEmitter } from 'node:events';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LayerHealth, LayerStatus } from '../common/health.js';
import type { HostToLayer, LayerProcessName, LayerToHost } from '../common/layer-protocol.ts';
import type { Clock } from './clock.ts';
import { appendJsonl, rotateIfLarge } from './jsonl.ts';
import type { ChildHandle, ProcessLauncher } from './launcher.ts';
import type { Logger } from './logger.ts';
import { probeHttp } from './probe.ts';
import type { LayerTransition } from './status-report.ts';

const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
export const LAYER_MODULES: Record<LayerProcessName, string> = {
  gateway: fileURLToPath(new URL(`./layers/gateway${EXT}`, import.meta.url)),
  session: fileURLToPath(new URL(`./layers/session${EXT}`, import.meta.url)),
};

export interface SupervisorOptions {
  launcher: ProcessLauncher;
  logger: Logger;
  clock: Clock;
  healthDir: string;
  env: NodeJS.ProcessEnv;
  ports: Record<LayerProcessName, number>;
  /** First restart delay; doubles per consecutive failure up to maxBackoffMs. */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** Up this long, a layer's failure count resets. */
  stableMs?: number;
  probeEveryMs?: number;
  probeTimeoutMs?: number;
  /** Consecutive failed probes that make a running layer "hung". */
  probeFailures?: number;
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
  failures: number;
  readySince: number;
  probeFails: number;
  probing: boolean;
  restartTimer?: NodeJS.Timeout;
  inFlight: number;
  dropped: number;
  lastFatal?: string;
  hung: boolean;
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
 * Keeps the gateway and session processes alive: restarts a crashed one with backoff (first
 * retry in 100 ms), replaces a hung one (found by probing its real socket), and records every
 * state change in health/layers.jsonl. Nothing here is awaited by a skill run.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly layers = new Map<LayerProcessName, LayerRun>();
  private readonly o: Required<SupervisorOptions>;
  private readonly log: Logger;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly transitions: LayerTransition[] = [];

  constructor(opts: SupervisorOptions) {
    super();
    this.o = { firstBackoffMs: 100, maxBackoffMs: 5000, stableMs: 5_000, probeEveryMs: 500, probeTimeoutMs: 750, probeFailures: 3, queueCap: 1000, layerNice: 10, ...opts };
    this.log = opts.logger.child('supervisor');
  }

  get file(): string {
    return join(this.o.healthDir, 'layers.jsonl');
  }

  start(): void {
    for (const name of ['gateway', 'session'] as const) {
      const run: LayerRun = { name, child: null, health: { status: 'restarting', since: this.iso(), reason: 'starting' }, ready: false, port: this.o.ports[name], failures: 0, readySince: 0, probeFails: 0, probing: false, inFlight: 0, dropped: 0, hung: false, startFailures: 0 };
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

  private record(run: LayerRun, status: LayerStatus, reason: string): void {
    run.health = { status, since: this.iso(), reason };
    const t: LayerTransition = { layer: run.name, status, at: run.health.since, reason };
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
    const env = { ...this.o.env, CLAWKEEPER_GATEWAY_PORT: String(this.port('gateway')), CLAWKEEPER_SESSION_PORT: String(this.port('session')) };
    let child: ChildHandle;
    try {
      child = this.o.launcher.fork(LAYER_MODULES[run.name], [], { cwd: process.cwd(), env, name: `clawkeeper ${run.name}` });
    } catch (err) {
      this.onDown(run, `could not start: ${(err as Error).message}`);
      return;
    }
    run.child = child;
    // The network layers yield the CPU to the host and its skill runs: a gateway under load
    // must not delay a skill (bench/isolation.ts measures it).
    if (child.pid && this.o.layerNice > 0) {
      try {
        setPriority(child.pid, this.o.layerNice);
      } catch {
        // not permitted here: the layers then run at normal priority
      }
    }
    run.ready = false;
    run.probeFails = 0;
    run.inFlight = 0;
    run.lastFatal = undefined;
    child.onMessage((m) => {
      const msg = m as LayerToHost;
      if (run.child !== child) return;
      if (msg?.type === 'ready') {
        run.ready = true;
        run.readySince = this.o.clock.monotonic();
        run.startFailures = 0;
        // Port 0 (tests) means "any free port": keep the one the layer got.
        if (this.o.ports[run.name] === 0 || run.port === 0) run.port = msg.port;
        this.record(run, 'ok', `listening on 127.0.0.1:${msg.port}`);
        this.emit('ready', run.name);
      } else if (msg?.type === 'fatal') {
        run.lastFatal = msg.message;
        this.log.error(`${run.name}: ${msg.message}`);
      } else if (msg) {
        this.emit('message', run.name, msg);
      }
    });
    // Always drain the layer's output: an unread pipe fills up and a layer writing to it would
    // block. Lines go to the host log, cut to 500 characters.
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = (lines.pop() ?? '').slice(0, 4096);
        for (const l of lines) if (l.trim()) this.log.warn(`${run.name}: ${l.slice(0, 500)}`);
      });
    }
    child.onError((err) => this.log.warn(`${run.name}: ${err.message}`));
    child.onExit(({ code, signal }) => {
      if (run.child !== child) return;
      run.child = null;
      run.ready = false;
      if (this.stopped) return;
      this.onDown(run, run.lastFatal ?? (signal ? `killed by ${signal}` : `exited with code ${code}`), run.hung, run.lastFatal !== undefined && !run.hung);
      run.hung = false;
    });
  }

  /**
   * A layer that went away is `restarting` while the supervisor brings it back by itself; it is
   * `failed` once it was hung, or after FAILED_AFTER starts in a row that never became ready
   * (its port taken, a broken install): then a person may have to act.
   */
  private onDown(run: LayerRun, reason: string, hung = false, fatal = false): void {
    if (run.readySince && this.o.clock.monotonic() - run.readySince > this.o.stableMs) run.failures = 0;
    if (run.readySince === 0) run.startFailures++;
    run.readySince = 0;
    const delay = Math.min(this.o.maxBackoffMs, this.o.firstBackoffMs * 2 ** run.failures);
    run.failures++;
    // A layer that said why it cannot run (its port is taken) will not fix itself: failed at once.
    const status: LayerStatus = hung || fatal || run.startFailures >= FAILED_AFTER ? 'failed' : 'restarting';
    this.record(run, status, `${reason}; restart #${run.failures} in ${delay} ms`);
    this.log.warn(`${run.name} down (${reason}); restart #${run.failures} in ${delay} ms`);
    run.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      this.launch(run);
    }, delay);
  }

  private probeAll(): void {
    for (const run of this.layers.values()) {
      if (!run.child || !run.ready || run.probing) continue;
      run.probing = true;
      const child = run.child;
      void probeHttp(run.port, '/health', this.o.probeTimeoutMs).then((r) => {
        run.probing = false;
        if (run.child !== child || this.stopped) return;
        if (r.ok) {
          run.probeFails = 0;
          return;
        }
        run.probeFails++;
        if (run.probeFails >= this.o.probeFailures) {
          // Hung (SIGSTOP, a busy loop, a wedged event loop): replace it. SIGKILL works on a
          // stopped process too; the exit handler then restarts it with backoff.
          this.log.warn(`${run.name} hung: ${run.probeFails} probes failed (${r.error ?? 'bad answer'}); replacing it`);
          run.lastFatal = `hung: ${run.probeFails} health probes failed (${r.error ?? 'bad answer'})`;
          run.hung = true;
          child.kill('SIGKILL');
        }
      });
    }
  }
}
