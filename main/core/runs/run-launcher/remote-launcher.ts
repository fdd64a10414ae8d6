import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ChildHandle, ExitInfo, LaunchOptions, ProcessLauncher } from '../launcher.ts';
import type { Logger } from '../../home/logger.ts';

const ENTRY = fileURLToPath(new URL('./launcher-process.js', import.meta.url));

type FromLauncher =
  | { t: 'ready' }
  | { t: 'spawned'; id: number; pid: number | null }
  | { t: 'out'; id: number; s: 1 | 2; d: string }
  | { t: 'msg'; id: number; m: unknown }
  | { t: 'error'; id: number; message: string; pid: number | null }
  | { t: 'exit'; id: number; code: number | null; signal: string | null };

/** A run's process as seen through the launcher: the same ChildHandle the runner uses. */
class RemoteChild implements ChildHandle {
  pid: number | undefined;
  readonly stdout = new Readable({ read() {} });
  readonly stderr = new Readable({ read() {} });
  exited = false;
  private readonly msgCbs: ((m: unknown) => void)[] = [];
  private readonly exitCbs: ((i: ExitInfo) => void)[] = [];
  private readonly errCbs: ((e: Error) => void)[] = [];
  readonly id: number;
  /** A command run has a process group of its own (as nodeLauncher.spawn makes it). */
  readonly group: boolean;
  private readonly owner: RemoteLauncher;
  constructor(id: number, group: boolean, owner: RemoteLauncher) {
    this.id = id;
    this.group = group;
    this.owner = owner;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exited) return false;
    return this.owner.post({ t: 'kill', id: this.id, signal });
  }

  send(message: unknown, done?: () => void): void {
    if (this.exited) return done?.();
    this.owner.post({ t: 'send', id: this.id, m: message }, done);
  }

  onMessage(cb: (m: unknown) => void): void {
    this.msgCbs.push(cb);
  }

  onExit(cb: (i: ExitInfo) => void): void {
    this.exitCbs.push(cb);
  }

  onError(cb: (e: Error) => void): void {
    this.errCbs.push(cb);
  }

  deliver(m: FromLauncher): void {
    if (m.t === 'spawned') this.pid = m.pid ?? undefined;
    else if (m.t === 'out') (m.s === 1 ? this.stdout : this.stderr).push(Buffer.from(m.d, 'base64'));
    else if (m.t === 'msg') for (const cb of this.msgCbs) cb(m.m);
    else if (m.t === 'error') {
      if (m.pid === null) this.pid = undefined;
      for (const cb of this.errCbs) cb(new Error(m.message));
    } else if (m.t === 'exit') this.end({ code: m.code, signal: m.signal });
  }

  /** Ends the output streams, then reports the exit once the reader has had every byte. */
  end(info: ExitInfo): void {
    if (this.exited) return;
    this.exited = true;
    const flowing = [this.stdout, this.stderr].filter((s) => s.readableFlowing === true);
    let left = flowing.length;
    const report = () => {
      for (const cb of this.exitCbs) cb(info);
    };
    for (const s of flowing) s.once('end', () => --left === 0 && report());
    this.stdout.push(null);
    this.stderr.push(null);
    if (left === 0) setImmediate(report);
  }
}

/**
 * A ProcessLauncher whose runs are created by a separate small process (launcher-process.js)
 * instead of the host: the host only writes the ledger and sends one message per run, so 100
 * runs due on the same second no longer queue behind 100 synchronous fork/spawn calls on the
 * host's event loop. Until the launcher is ready, and whenever it is gone, runs are created by
 * `direct` as before, so a run never waits for the launcher. If the launcher dies, the runs it
 * started are killed (they would be unsupervised) and end as killed; a new launcher starts.
 */
export class RemoteLauncher implements ProcessLauncher {
  private proc: ChildHandle | null = null;
  private ready = false;
  private stopped = false;
  private nextId = 1;
  private readonly children = new Map<number, RemoteChild>();
  private restarts = 0;
  private reserved = 0;

  private readonly direct: ProcessLauncher;
  private readonly log: Logger;
  constructor(direct: ProcessLauncher, log: Logger) {
    this.direct = direct;
    this.log = log;
  }

  start(): void {
    if (this.stopped || this.proc) return;
    let proc: ChildHandle;
    try {
      proc = this.direct.fork(ENTRY, [], { cwd: process.cwd(), env: process.env, name: 'clawkeeper run launcher' });
    } catch (err) {
      this.log.warn(`[run-launcher] cannot start: ${(err as Error).message}; runs start from the host`);
      return;
    }
    this.proc = proc;
    proc.stderr?.on('data', (c: Buffer) => this.log.warn(`[run-launcher] ${c.toString('utf8').trim().slice(0, 500)}`));
    proc.stdout?.resume();
    proc.onMessage((raw) => {
      const m = raw as FromLauncher;
      if (this.proc !== proc) return;
      if (m.t === 'ready') {
        this.ready = true;
        this.restarts = 0;
        if (this.reserved > 0) this.post({ t: 'reserve', n: this.reserved });
        return;
      }
      const c = this.children.get(m.id);
      if (!c) return;
      c.deliver(m);
      if (m.t === 'exit') this.children.delete(m.id);
    });
    proc.onExit(({ code, signal }) => {
      if (this.proc !== proc) return;
      this.proc = null;
      this.ready = false;
      for (const c of this.children.values()) {
        if (c.pid) {
          try {
            process.kill(c.group ? -c.pid : c.pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        c.end({ code: null, signal: 'SIGKILL', lost: 'the run launcher died during this run' });
      }
      this.children.clear();
      if (this.stopped) return;
      this.log.warn(`[run-launcher] ended (${signal ?? `code ${code}`}); runs start from the host until a new one is ready`);
      setTimeout(() => this.start(), Math.min(30_000, 200 * 2 ** this.restarts++)).unref();
    });
  }

  /** Whether runs now go through the launcher process. */
  get active(): boolean {
    return this.ready && this.proc !== null;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  fork(modulePath: string, args: string[], options: LaunchOptions): ChildHandle {
    return this.active ? this.remote('fork', modulePath, args, options) : this.direct.fork(modulePath, args, options);
  }

  spawn(command: string, args: string[], options: LaunchOptions): ChildHandle {
    return this.active ? this.remote('spawn', command, args, options) : this.direct.spawn(command, args, options);
  }

  post(m: unknown, done?: () => void): boolean {
    if (!this.proc) {
      done?.();
      return false;
    }
    this.proc.send(m, done);
    return true;
  }

  /**
   * How many runs may be due at once (the host's scheduled skills): the launcher keeps that many
   * warm shells (warm-shells.js), so even the first such burst finds them ready. Kept for a new launcher too.
   */
  reserve(n: number): void {
    this.reserved = n;
    this.post({ t: 'reserve', n });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const proc = this.proc;
    if (!proc) return;
    await new Promise<void>((resolve) => {
      proc.onExit(() => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
    });
  }

  private remote(op: 'fork' | 'spawn', file: string, args: string[], o: LaunchOptions): ChildHandle {
    const id = this.nextId++;
    const c = new RemoteChild(id, op === 'spawn', this);
    this.children.set(id, c);
    this.post({
      t: 'start', id,
      req: { op, file, args, cwd: o.cwd, env: o.env, ...(o.cgroupProcs ? { cgroupProcs: o.cgroupProcs } : {}) },
    });
    return c;
  }
}
