import { randomBytes } from 'node:crypto';
import { modeOf, scenarioOf, type Layers } from '../common/health.js';
import type { LayerProcessName, LayerToHost, Snapshot } from '../common/layer-protocol.ts';
import type { LedgerEnd } from '../common/types.ts';
import type { Clock } from './clock.ts';
import type { Host } from './host.ts';
import { computeMetrics } from './metrics.ts';
import { runtimeHealth, skillView } from './status-report.ts';
import { withStorage } from './storage-view.ts';
import type { Supervisor } from './supervisor.ts';

export const HOST_SESSION = 'clawkeeper';

/**
 * Wires the host to its layers, one way only: host events become session events and gateway
 * snapshots, sent fire-and-forget; the gateway's commands come back over IPC. Nothing a layer
 * does (or fails to do) can block a run.
 */
export class LayerLink {
  private readonly host: Host;
  private readonly sup: Supervisor;
  private readonly clock: Clock;
  private readonly startedAt: number;
  private pushTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(host: Host, sup: Supervisor, clock: Clock) {
    this.host = host;
    this.sup = sup;
    this.clock = clock;
    this.startedAt = clock.now();
  }

  start(): void {
    const publish = (kind: string, data: unknown) => this.sup.send('session', { type: 'event', session: HOST_SESSION, kind, data });
    this.host.on('run-start', (e) => {
      publish('run-start', e);
      this.schedulePush();
    });
    this.host.on('run-end', (e) => {
      publish('run-end', { ...e.entry, fields: e.fields });
      this.schedulePush();
    });
    this.host.on('skip', (e) => {
      publish('skip', e);
      this.schedulePush();
    });
    this.host.on('skills-changed', () => this.schedulePush());
    this.sup.on('transition', (t) => {
      publish('layer', t);
      this.pushNow();
    });
    this.sup.on('ready', (name) => {
      if (name === 'gateway') this.sup.send('gateway', { type: 'snapshot', snapshot: this.snapshot() });
    });
    this.sup.on('message', (name, msg) => this.onMessage(name, msg));
    // "late" and next-run times change with the clock alone
    this.refreshTimer = setInterval(() => this.pushNow(), 2000);
  }

  stop(): void {
    clearTimeout(this.pushTimer);
    clearInterval(this.refreshTimer);
  }

  /**
   * A one-time login code the gateway will accept, for the start-up banner. 60 s, as
   * `clawkeeper open`'s: the banner may end up in a log (launchd, journald) that others can read.
   */
  loginCode(ttlMs = 60_000): string {
    const code = randomBytes(24).toString('base64url');
    this.sup.send('gateway', { type: 'login-code', code, expiresAt: Date.now() + ttlMs });
    return code;
  }

  private schedulePush(): void {
    if (this.pushTimer) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      this.pushNow();
    }, 100);
  }

  private pushNow(): void {
    this.sup.send('gateway', { type: 'snapshot', snapshot: this.snapshot() });
  }

  snapshot(): Snapshot {
    const now = this.clock.now();
    const at = new Date(now).toISOString();
    const host = this.host;
    const paused = new Set(host.listSkills().filter((s) => host.isPaused(s.name)).map((s) => s.name));
    const skills = host.listSkills().map((s) => {
      const since = host.runningSince(s.name);
      const running = since !== undefined ? { runId: host.runningId(s.name) ?? '', since } : null;
      return skillView(s, host.ledger, paused, now, true, host.nextRun(s.name) ?? null, running);
    });
    const layers: Layers = {
      session: this.sup.health('session'),
      gateway: this.sup.health('gateway'),
      runtime: runtimeHealth(true, { pid: process.pid, started_at: new Date(this.startedAt).toISOString(), last_alive: at }, skills, at),
    };
    const runs: LedgerEnd[] = host.listSkills().flatMap((s) => [...host.ledger.recentRuns(s.name)]);
    const dayAgo = now - 24 * 3600_000;
    // Storage (finding 10): runtime failed while run starts cannot be written; degraded while only logs fail.
    const storage = host.storageHealth();
    const storageMode = withStorage(layers, storage);
    return {
      storage,
      generatedAt: at,
      mode: storageMode ?? modeOf(layers),
      scenario: scenarioOf(layers),
      layers,
      skills,
      metrics: computeMetrics(this.sup.transitions, runs, this.startedAt, now, { session: this.sup.dropped('session'), gateway: this.sup.dropped('gateway') }),
      ports: { gateway: this.sup.port('gateway'), session: this.sup.port('session') },
      host: { pid: process.pid, startedAt: new Date(this.startedAt).toISOString(), layerPids: { gateway: this.sup.pid('gateway') ?? null, session: this.sup.pid('session') ?? null } },
      transitions: this.sup.transitions.filter((t) => Date.parse(t.at) >= dayAgo).slice(-500),
    };
  }

  private onMessage(name: LayerProcessName, msg: LayerToHost): void {
    if (msg.type === 'storage') return this.host.storage.layerWrites(name, msg.problem);
    if (name !== 'gateway' || msg.type !== 'command') return;
    const reply = (ok: boolean, result?: unknown, error?: { code: string; message: string }): void => void this.sup.send('gateway', { type: 'reply', id: msg.id, ok, result, error });
    const known = this.host.listSkills().some((s) => s.name === msg.skill);
    if (!known) return reply(false, undefined, { code: 'CK_NOT_FOUND', message: `no skill named "${msg.skill}"` });
    if (msg.op === 'run') {
      const r = this.host.runNow(msg.skill);
      if (!r) return reply(false, undefined, { code: 'CK_SKILL_INVALID', message: `skill "${msg.skill}" is invalid and cannot run` });
      reply(true, { run_id: r.runId, queued: r.queued });
    } else if (msg.op === 'pause' || msg.op === 'resume') {
      // A full disk fails the write of runs/_paused.json: an error reply, never a dead host.
      try {
        if (msg.op === 'pause') this.host.pause(msg.skill);
        else this.host.resume(msg.skill);
      } catch (err) {
        return reply(false, undefined, { code: 'CK_UNAVAILABLE', message: `cannot record ${msg.op}: ${(err as Error).message}` });
      }
      reply(true, { paused: msg.op === 'pause' });
    }
    this.schedulePush();
  }
}
