import { randomBytes } from 'node:crypto';
import type { LayerProcessName, LayerToHost, Snapshot } from '../../common/layer-protocol.ts';
import type { LedgerEnd } from '../../common/types.ts';
import type { Clock } from '../scheduling/clock.ts';
import type { Host } from '../host/host.ts';
import { executeCommand } from './host-commands.ts';
import type { HostOp } from '../../common/host-protocol.ts';
import { computeMetrics } from '../health/metrics.ts';
import { liveHealth } from '../host/live-health.ts';
import type { Supervisor } from '../supervision/supervisor.ts';

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
    this.host.on('dependency', (t) => {
      publish('dependency', t);
      this.pushNow();
    });
    this.host.on('breaker', (b) => {
      publish('breaker', b);
      this.schedulePush();
    });
    // Liveness (the gateway calls a snapshot older than 5 s "not responding"), and "late" and
    // next-run times change with the clock alone.
    this.refreshTimer = setInterval(() => this.pushNow(), 1000);
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
    const snapshot = this.snapshot();
    this.sup.send('gateway', { type: 'snapshot', snapshot });
    // The alert source diffs the same reports every view renders (alerts/alert-source.ts).
    this.host.alerts?.onReport(snapshot);
  }

  snapshot(): Snapshot {
    const now = this.clock.now();
    const host = this.host;
    const report = liveHealth(host, { session: this.sup.health('session'), gateway: this.sup.health('gateway') }, this.startedAt, now);
    const runs: LedgerEnd[] = host.listSkills().flatMap((s) => [...host.ledger.recentRuns(s.name)]);
    const dayAgo = now - 24 * 3600_000;
    return {
      ...report,
      host: { ...report.host, layerPids: { gateway: this.sup.pid('gateway') ?? null, session: this.sup.pid('session') ?? null } },
      metrics: computeMetrics(this.sup.transitions, runs, this.startedAt, now, {
        session: this.sup.dropped('session'), gateway: this.sup.dropped('gateway'),
      }),
      ports: { gateway: this.sup.port('gateway'), session: this.sup.port('session') },
      transitions: this.sup.transitions.filter((t) => Date.parse(t.at) >= dayAgo).slice(-500),
      ...(host.alerts ? { alerts: host.alerts.view() } : {}),
    };
  }

  private onMessage(name: LayerProcessName, msg: LayerToHost): void {
    if (msg.type === 'storage') return this.host.storage.layerWrites(name, msg.problem);
    if (name !== 'gateway' || msg.type !== 'command') return;
    // The same commands as host.sock (host-commands.ts), so the gateway and the CLI agree.
    void executeCommand(this.host, this, {
      ...msg.args, id: msg.id, op: msg.op as HostOp, skill: msg.skill, ...(msg.force ? { force: true } : {}),
      ...(typeof msg.note === 'string' ? { note: msg.note } : {}),
    }).then((r) => {
      this.sup.send(
        'gateway',
        r.ok ? { type: 'reply', id: msg.id, ok: true, result: r.result } : { type: 'reply', id: msg.id, ok: false, error: r.error },
      );
      this.schedulePush();
    });
  }
}
