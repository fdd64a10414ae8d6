// The tray app and a host that already holds the home folder (the service, or `clawkeeper start
// --headless`): instead of a second host (the lock forbids it: two schedulers on one ledger
// would run slots twice), the app attaches to it through its gateway with the token, shows its
// state, sends its commands, and leaves it running on quit. When that host goes away the app
// offers to start the service again or to take over (run the host itself).
import type { Host } from '../host/host.ts';
import { executeCommand } from '../front/host-commands.ts';
import type { LayerLink } from '../front/layer-link.ts';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { withLayers } from '../../common/health.js';
import type { Snapshot } from '../../common/layer-protocol.ts';
import { SessionClient, type WebSocketLike } from '../../common/session-client.js';
import { lockHolderPid } from '../host/host-holder.ts';
import type { HomePaths } from '../home/paths.ts';
import type { SkillOp } from '../../common/host-protocol.ts';

export type HostCommandOp = SkillOp;
/** A pause's note (the other ops take no options). */
export interface HostCommandOptions {
  note?: string;
}

/** What the app needs of a host, whether it runs one itself or is attached to one. */
export interface HostHandle {
  snapshot(): Snapshot | null;
  command(op: HostCommandOp, skill: string, opts?: HostCommandOptions): Promise<unknown>;
  /** On quit: an own host stops; an attached one keeps running. */
  release(): Promise<void>;
}

export type DesktopMode =
  | { kind: 'starting' }
  | { kind: 'own' }
  | { kind: 'attached'; pid: number }
  /** The host we were attached to stopped: offer to start the service, or to take over. */
  | { kind: 'service-gone'; pid: number };

/** A host in another process, through its gateway (GET /api/snapshot, POST /api/skills/:name/...). */
export class AttachedHost extends EventEmitter implements HostHandle {
  private last: Snapshot | null = null;
  private timer: NodeJS.Timeout | null = null;
  private gone = false;
  private session: SessionClient | null = null;
  private readonly o: { paths: HomePaths; gatewayPort: number; pid: number; everyMs?: number };
  constructor(o: { paths: HomePaths; gatewayPort: number; pid: number; everyMs?: number }) {
    super();
    this.o = o;
  }

  private async call(method: string, path: string, body?: object): Promise<Response> {
    // Read each time: `clawkeeper token --rotate` must not cut the app off.
    const token = readFileSync(this.o.paths.token, 'utf8').trim();
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) };
    return fetch(`http://127.0.0.1:${this.o.gatewayPort}${path}`, {
      method, headers, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(3000),
    });
  }

  /** One poll; resolves to the snapshot, or null when the gateway did not answer. */
  async poll(): Promise<Snapshot | null> {
    if (lockHolderPid(this.o.paths.lock) !== this.o.pid) {
      if (!this.gone) {
        this.gone = true;
        this.last = null;
        this.session?.close();
        this.session = null;
        this.emit('gone');
      }
      return null;
    }
    try {
      const r = await this.call('GET', '/api/snapshot');
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      this.last = (await r.json()) as Snapshot;
      this.emit('snapshot', this.last);
      if (!this.session && this.last.ports?.session) this.listen(this.last.ports.session);
      return this.last;
    } catch {
      // The service is alive but its gateway does not answer: its skills still run, but what we
      // show is the last snapshot, so the gateway is shown down instead of the old state as current.
      const last = this.last;
      if (last && last.layers.gateway.status === 'ok') {
        const layers = {
          ...last.layers,
          gateway: { status: 'failed' as const, since: new Date().toISOString(), reason: 'the app cannot reach the service\'s gateway' },
        };
        this.last = withLayers(last, layers);
        this.emit('snapshot', this.last);
      }
      return null;
    }
  }

  /** Live run and layer events from the service's session layer ('event'), as the own host's. */
  private listen(port: number) {
    this.session = new SessionClient({
      url: `ws://127.0.0.1:${port}/`,
      // Authenticated at the upgrade (header), so a flood of connections still waiting to
      // authenticate never keeps the app out (connection-guard.ts); the first frame says it again.
      open: (url) => new WebSocket(url, {
        headers: { authorization: `Bearer ${readFileSync(this.o.paths.token, 'utf8').trim()}` },
      }) as unknown as WebSocketLike,
      token: () => readFileSync(this.o.paths.token, 'utf8').trim(),
      onEvent: (e) => this.emit('event', { kind: e.kind, data: e.data }),
      maxBackoffMs: 2000,
    });
    // Only what happens from now on: the snapshot holds the past.
    this.session.subscribe('clawkeeper', Number.MAX_SAFE_INTEGER);
  }

  start(): this {
    const tick = () => void this.poll().finally(() => {
      if (!this.gone && this.timer) this.timer = setTimeout(tick, this.o.everyMs ?? 1000);
    });
    this.timer = setTimeout(tick, 0);
    return this;
  }

  snapshot(): Snapshot | null {
    return this.last;
  }

  async command(op: HostCommandOp, skill: string, opts: HostCommandOptions = {}): Promise<unknown> {
    const r = await this.call('POST', `/api/skills/${encodeURIComponent(skill)}/${op}`, opts.note ? { note: opts.note } : undefined);
    const body: unknown = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`ClawKeeper service: ${op} ${skill} answered ${r.status}`);
    return body;
  }

  release(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.gone = true;
    this.session?.close();
    this.session = null;
    return Promise.resolve();
  }
}

export interface DesktopHostDeps {
  paths: HomePaths;
  gatewayPort: number;
  /** Runs the host in this app (the Electron app passes startHeadless with its utility launcher). */
  startOwn(): Promise<HostHandle>;
  /** Starts the installed service again (launchctl kickstart / systemctl start); true when it was asked. */
  startService(): boolean;
  everyMs?: number;
}

/** Own host or attached, and the moves between them; the tray renders `mode`. */
export class DesktopHost extends EventEmitter {
  mode: DesktopMode = { kind: 'starting' };
  private handle: HostHandle | null = null;
  private readonly d: DesktopHostDeps;
  constructor(d: DesktopHostDeps) {
    super();
    this.d = d;
  }

  private setMode(m: DesktopMode) {
    this.mode = m;
    this.emit('mode', m);
  }

  /** Attaches when another live process holds the home folder, else runs the host here. */
  async begin(): Promise<DesktopMode> {
    const pid = lockHolderPid(this.d.paths.lock);
    if (pid !== null && pid !== process.pid) this.attach(pid);
    else await this.takeOver();
    return this.mode;
  }

  private attach(pid: number) {
    const a = new AttachedHost({ paths: this.d.paths, gatewayPort: this.d.gatewayPort, pid, everyMs: this.d.everyMs });
    a.once('gone', () => {
      if (this.handle === a) this.setMode({ kind: 'service-gone', pid });
    });
    a.on('event', (e) => this.handle === a && this.emit('event', e));
    this.handle = a.start();
    this.setMode({ kind: 'attached', pid });
  }

  async takeOver(): Promise<void> {
    await this.handle?.release();
    this.handle = await this.d.startOwn();
    this.setMode({ kind: 'own' });
  }

  /** Asks the service manager to start the service, then attaches once it holds the home folder. */
  async startService(timeoutMs = 30_000): Promise<boolean> {
    if (!this.d.startService()) return false;
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const pid = lockHolderPid(this.d.paths.lock);
      if (pid !== null && pid !== process.pid) {
        this.attach(pid);
        return true;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }

  snapshot(): Snapshot | null {
    return this.handle?.snapshot() ?? null;
  }

  command(op: HostCommandOp, skill: string, opts: HostCommandOptions = {}): Promise<unknown> {
    if (!this.handle) return Promise.reject(new Error('ClawKeeper: no host yet'));
    return this.handle.command(op, skill, opts);
  }

  quit(): Promise<void> {
    return this.handle?.release() ?? Promise.resolve();
  }
}

/** The host this app runs itself, as a HostHandle. */
export function ownHost(
  app: { host: Host; link: LayerLink | null; stop(): Promise<void> }, decorate: (s: Snapshot) => Snapshot = (s) => s,
): HostHandle {
  return {
    snapshot: () => {
      const s = app.link?.snapshot();
      return s ? decorate(s) : null;
    },
    // The same commands as host.sock and the gateway: a refusal is {ok: false, error}, shown by the window.
    command: (op, skill, opts = {}) => executeCommand(app.host, app.link, { id: 0, op, skill, ...(opts.note ? { note: opts.note } : {}) }),
    release: () => app.stop(),
  };
}
