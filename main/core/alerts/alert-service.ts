import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import type { AlertsView, DeliveryTargetView, RaisedAlert } from '../../common/alerts.ts';
import type { Logger } from '../home/logger.ts';
import type { Clock } from '../scheduling/clock.ts';
import { readAlertsConfig, resolveSecret, type AlertsConfig } from './alert-config.ts';
import { formatAlert, type AlertToSend } from './alert-format.ts';
import { AlertLimits } from './alert-limits.ts';
import { send, type SendResult } from './alert-send.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';

export interface AlertServiceOptions {
  home: string;
  configFile: string;
  outboxFile: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  clock: Clock;
  /** The `network` dependency is down: the outbox holds until it is back. */
  networkDown: () => boolean;
  /** A skill's `alerts` (skill.json): its channels, false for none, undefined for the default. */
  skillAlerts: (skill: string) => string[] | false | undefined;
}

/** After a failed attempt: 5 s, doubled per attempt, at most 15 min. */
export function deliveryBackoffMs(attempts: number): number {
  return Math.min(15 * 60_000, 5000 * 2 ** (Math.max(1, attempts) - 1));
}

/** An alert delivered later than this after it happened says so. */
export const DELAYED_AFTER_MS = 60_000;

/** Attempts before an alert is given up (about 8 h at the backoff's cap); said in the log and the view. */
export const MAX_ATTEMPTS = 40;

/**
 * Alerts to channels: each one the source raises is routed (the skill's `alerts`, else
 * `alerts.default`), limited (alert-limits.ts), written to the outbox on disk, then delivered
 * with retries and backoff; while the network is down the outbox holds, and what waited is
 * delivered marked delayed. A delivery never blocks a run or the scheduler.
 */
export class AlertService {
  private readonly o: AlertServiceOptions;
  private readonly log: Logger;
  private readonly outbox: Outbox;
  private limits = new AlertLimits();
  private readonly status = new Map<string, DeliveryTargetView>();
  private cfg: AlertsConfig | null = null;
  private cfgStamp = '';
  private pumping: Promise<void> | null = null;
  private again: Promise<void> | null = null;
  /** Only a started service (the host's) owns the outbox file: `alerts test` without a host never writes it. */
  private started = false;
  private readonly routeProblems = new Set<string>();

  constructor(o: AlertServiceOptions) {
    this.o = o;
    this.log = o.logger.child('alerts');
    this.outbox = new Outbox(o.outboxFile);
  }

  /** Loads what the previous host left undelivered and starts delivering it. */
  start(): void {
    const left = this.outbox.load((m) => this.log.warn(m));
    this.started = true;
    this.limits = new AlertLimits(left.limits);
    for (const t of left.targets) if (typeof t?.name === 'string') this.status.set(t.name, { ...t, pending: 0 });
    if (this.outbox.entries.length > 0) this.log.info(`${this.outbox.entries.length} undelivered alert(s) from before the restart`);
    void this.pump();
  }

  /** The config, re-read when config.json changed (checked by size and mtime). */
  config(): AlertsConfig {
    let stamp = 'none';
    try {
      const st = statSync(this.o.configFile);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      // no config.json: no channels
    }
    if (!this.cfg || stamp !== this.cfgStamp) {
      this.cfg = readAlertsConfig(this.o.configFile);
      this.cfgStamp = stamp;
      for (const p of this.cfg.problems) this.log.warn(p);
    }
    return this.cfg;
  }

  /** One alert from the source: to its channels' outboxes, within the limits. */
  enqueue(a: RaisedAlert): void {
    const cfg = this.config();
    const now = this.o.clock.now();
    for (const channel of this.route(a, cfg)) {
      const admitted = this.limits.admit(channel, a.subject, a.ending, cfg.cooldownMinutes * 60_000, now);
      if (!admitted.ok) continue;
      const alert: AlertToSend = { event: a.event, ...pick(a), message: a.message, at: a.at, host: a.host, title: a.title };
      if (admitted.suppressed) alert.suppressed = {
        count: admitted.suppressed.count, since: new Date(admitted.suppressed.since).toISOString(),
      };
      const dropped = this.outbox.add({
        id: `${now.toString(36)}-${randomBytes(4).toString('hex')}`, channel, alert, attempts: 0, nextAt: now,
        held: false,
      });
      for (const d of dropped) {
        this.limits.hold(d.channel, 1, now);
        this.log.warn(
          `outbox full: dropped the oldest alert for "${d.channel}" (${d.alert.event} at ${d.alert.at}); counted in its next alert`,
        );
      }
    }
    this.save();
    void this.pump();
  }

  private route(a: RaisedAlert, cfg: AlertsConfig): string[] {
    const own = a.skill !== undefined ? this.o.skillAlerts(a.skill) : undefined;
    if (own === false) return [];
    const names = own ?? cfg.default;
    return names.filter((n) => {
      if (cfg.channels.has(n)) return true;
      this.routeProblems.add(`skill ${a.skill ?? '?'}: alerts names "${n}", which is not in config.json alerts.channels`);
      return false;
    });
  }

  /** Delivers what is due; one attempt at a time per channel, in order. Resolves when done. */
  pump(): Promise<void> {
    // A round under way may have looked before this alert was added: one more round follows it.
    if (this.pumping) {
      this.again ??= this.pumping.then(() => {
        this.again = null;
        return this.pump();
      });
      return this.again;
    }
    this.pumping = this.deliverDue().finally(() => (this.pumping = null));
    return this.pumping;
  }

  private async deliverDue(): Promise<void> {
    const now = this.o.clock.now();
    // Per channel, in the order raised: what is due up to the first one still backing off.
    const byChannel = new Map<string, OutboxEntry[]>();
    const blocked = new Set<string>();
    for (const e of this.outbox.entries) {
      if (blocked.has(e.channel)) continue;
      if (e.nextAt > now) blocked.add(e.channel);
      else byChannel.set(e.channel, [...(byChannel.get(e.channel) ?? []), e]);
    }
    if (byChannel.size === 0) return;
    if (this.o.networkDown()) {
      // Held, not attempted: an alert raised during a partition arrives when it ends, marked delayed.
      const fresh = [...byChannel.values()].flat().filter((e) => !e.held);
      for (const e of fresh) e.held = true;
      if (fresh.length > 0) this.save();
      return;
    }
    await Promise.all([...byChannel.values()].map((list) => this.deliverInOrder(list)));
    this.save();
  }

  private async deliverInOrder(list: OutboxEntry[]): Promise<void> {
    for (const e of list) {
      const r = await this.deliver(e);
      if (!r.ok) return; // the rest of this channel waits behind it, in order
    }
  }

  private async deliver(e: OutboxEntry): Promise<SendResult> {
    const c = this.config().channels.get(e.channel);
    // Delayed: it waited (a partition, a failed attempt, a host that died before sending it).
    const late = e.held || e.attempts > 0 || this.o.clock.now() - Date.parse(e.alert.at) > DELAYED_AFTER_MS;
    const alert: AlertToSend = late ? { ...e.alert, delayed: true } : e.alert;
    let r: SendResult;
    try {
      if (!c) throw new Error(`no channel "${e.channel}" in config.json alerts.channels any more`);
      r = await send(formatAlert(c, alert, (ref) => resolveSecret(ref, this.o.env, this.o.home)));
    } catch (err) {
      r = { ok: false, answer: (err as Error).message };
    }
    const now = this.o.clock.now();
    this.record(e.channel, c?.type ?? 'webhook', r, now);
    if (r.ok) {
      this.outbox.remove(e.id);
      return r;
    }
    e.attempts++;
    e.lastError = r.answer;
    e.nextAt = now + deliveryBackoffMs(e.attempts);
    if (e.attempts >= MAX_ATTEMPTS || !c) {
      this.outbox.remove(e.id);
      this.log.error(`gave up on a ${e.alert.event} alert for "${e.channel}" after ${e.attempts} attempts: ${r.answer}`);
      return { ok: true, answer: r.answer }; // what follows it is not held behind it
    }
    this.log.warn(
      `"${e.channel}" did not take a ${e.alert.event} alert (attempt ${e.attempts}, next in ${Math.round(
        deliveryBackoffMs(e.attempts) / 1000,
      )} s): ${r.answer}`,
    );
    return r;
  }

  private record(name: string, type: DeliveryTargetView['type'], r: SendResult, now: number): void {
    const at = new Date(now).toISOString();
    const prev = this.status.get(name);
    this.status.set(name, {
      name, type, pending: 0, lastDelivery: r.ok ? at : (prev?.lastDelivery ?? null),
      lastError: r.ok ? (prev?.lastError ?? null) : { at, message: r.answer },
    });
  }

  /** `clawkeeper alerts test [channel]`: one test alert per channel, now, past limits and outbox. */
  async test(only?: string): Promise<{ channel: string; ok: boolean; answer: string }[]> {
    const cfg = this.config();
    const names = only ? [only] : [...cfg.channels.keys()];
    return Promise.all(names.map(async (name) => {
      const c = cfg.channels.get(name);
      if (!c) return {
        channel: name, ok: false,
        answer: `no channel "${name}" in config.json alerts.channels${cfg.problems.length ? ` (${cfg.problems.join('; ')})` : ''}`,
      };
      const alert = testAlert(this.o.clock.now());
      let r: SendResult;
      try {
        r = await send(formatAlert(c, alert, (ref) => resolveSecret(ref, this.o.env, this.o.home)));
      } catch (err) {
        r = { ok: false, answer: (err as Error).message };
      }
      this.record(name, c.type, r, this.o.clock.now());
      this.save();
      return { channel: name, ...r };
    }));
  }

  view(): Pick<AlertsView, 'targets' | 'problems'> {
    const cfg = this.config();
    const pending = new Map<string, number>();
    for (const e of this.outbox.entries) pending.set(e.channel, (pending.get(e.channel) ?? 0) + 1);
    const down = this.o.networkDown();
    const targets = [...cfg.channels.values()].map((c) => {
      const n = pending.get(c.name) ?? 0;
      return {
        ...(this.status.get(c.name) ?? { name: c.name, lastDelivery: null, lastError: null }), type: c.type, pending: n,
        ...(down && n > 0 ? { held: true } : {}),
      };
    });
    return { targets, problems: [...cfg.problems, ...this.routeProblems] };
  }

  get pendingCount(): number {
    return this.outbox.entries.length;
  }

  private save(): void {
    if (!this.started) return;
    try {
      this.outbox.save(this.limits.state(this.o.clock.now()), [...this.status.values()]);
    } catch (err) {
      this.log.warn(`cannot write the outbox: ${(err as Error).message}; undelivered alerts are kept in memory until it can`);
    }
  }
}

function pick(a: RaisedAlert): Pick<AlertToSend, 'skill' | 'outcome' | 'runId' | 'slot'> {
  return {
    ...(a.skill ? { skill: a.skill } : {}), ...(a.outcome ? { outcome: a.outcome } : {}),
    ...(a.runId ? { runId: a.runId } : {}), ...(a.slot ? { slot: a.slot } : {}),
  };
}

function testAlert(now: number): AlertToSend {
  return {
    event: 'test', message: 'A test alert from `clawkeeper alerts test`: this channel works.',
    at: new Date(now).toISOString(), host: hostName(), title: 'ClawKeeper test alert',
  };
}

/** The machine's name as a person knows it ("mac-mini", not "mac-mini.local"). */
export function hostName(): string {
  return (process.env.CLAWKEEPER_HOST_NAME || osHostname()).replace(/\.local$/, '');
}
