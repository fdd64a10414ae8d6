import { EventEmitter } from 'node:events';
import { outcomeWords, runWords, undelivered } from '../../common/health.js';
import type { RaisedAlert } from '../../common/alerts.ts';
import type { HealthReport } from '../../common/layer-protocol.ts';
import type { HostEvents, RunEndEvent } from '../../common/host-events.ts';
import type { Clock } from '../scheduling/clock.ts';
import { dependencyEvent, healthEvents, type AlertDraft } from './health-events.ts';

/** What the source needs of the host: its events, and who waits for a dependency. */
export interface AlertHost extends EventEmitter<HostEvents> {
  dependencyHealth(): Record<string, { neededBy: string[] }>;
  validSkills(): { name: string; manifest: { enabled: boolean } | null }[];
}

/** How many alerts the snapshot carries for the native notifier and the dashboard. */
export const RECENT_ALERTS = 20;

/**
 * The one alert stream of a host. Inputs: the host's own events (a run's final outcome after its
 * retries, a breaker, a day budget, a dependency) and each health report the host composes (a
 * layer, the disk, a late skill). Every consumer takes what this emits: the channels (through the
 * outbox), the native notifier and the dashboard (through the snapshot's `alerts.recent`), so
 * none can tell a different story.
 */
export class AlertSource extends EventEmitter<{ alert: [RaisedAlert] }> {
  private readonly o: { hostName: string; clock: Clock };
  private prev: HealthReport | null = null;
  private seq = 0;
  private readonly recentList: RaisedAlert[] = [];
  /** Skills told failing or late, whose success is told as recovered. */
  private readonly bad = new Set<string>();
  /** Per skill, the UTC day whose budget was told spent. */
  private readonly budgetDay = new Map<string, string>();

  constructor(o: { hostName: string; clock: Clock }) {
    super();
    this.o = o;
  }

  attach(host: AlertHost): void {
    host.on('run-final', (e) => this.onRunFinal(e));
    host.on('breaker', (b) => {
      if (b.state === 'open') this.raise({
        event: 'breaker-tripped', subject: `breaker:${b.skill}`, ending: false, skill: b.skill,
        title: `${b.skill}: breaker tripped`,
        message: `Too many failed runs in a row: its slots are skipped${b.until ? ` until ${b.until}` : ''}, then one probe run decides.`,
      });
    });
    host.on('skip', (s) => {
      if (s.reason !== 'budget') return;
      const day = s.at.slice(0, 10);
      if (this.budgetDay.get(s.skill) === day) return;
      this.budgetDay.set(s.skill, day);
      this.raise({
        event: 'budget-spent', subject: `budget:${s.skill}`, ending: false, skill: s.skill, slot: s.slot,
        title: `${s.skill}: day budget spent`,
        message: `Its tokensPerDay budget is used up: its slots are skipped until the day ends.${s.detail ? ` ${s.detail}` : ''}`,
      });
    });
    host.on('dependency', (t) => {
      const waiting = host.dependencyHealth()[t.dependency]?.neededBy ?? [];
      const running = host.validSkills().filter((s) => s.manifest?.enabled && !waiting.includes(s.name)).map((s) => s.name);
      this.raise(dependencyEvent(t, waiting, running));
    });
  }

  /** The previous host died instead of stopping (its lock was left behind). */
  hostRestarted(previous: { pid: number | null; lastAlive: string | null }): void {
    this.raise({
      event: 'host-restarted', subject: 'host', ending: false, title: 'ClawKeeper restarted after an unclean stop',
      message: `The previous host${previous.pid ? ` (pid ${previous.pid})` : ''} stopped without shutting down${previous.lastAlive ? `; last alive at ${previous.lastAlive}` : ''}. Missed slots follow their catchUp policy.`,
    });
  }

  /** Each health report the host composes; the first one is the baseline. */
  onReport(report: HealthReport): void {
    const prev = this.prev;
    this.prev = report;
    if (!prev) {
      for (const s of report.skills) if (s.state === 'failing' || s.state === 'late') this.bad.add(s.name);
      return;
    }
    for (const d of healthEvents(prev, report)) {
      if (d.event === 'skill-late') {
        if (this.bad.has(d.skill!)) continue;
        this.bad.add(d.skill!);
      }
      this.raise(d);
    }
  }

  private onRunFinal({ entry }: RunEndEvent): void {
    const name = entry.skill;
    const ids = { skill: name, outcome: entry.outcome, runId: entry.run_id, ...(entry.slot ? { slot: entry.slot } : {}) };
    // A run that produced its output but could not deliver it is not fine (#17): told as failing.
    if (entry.outcome === 'success' && !undelivered(entry)) {
      if (!this.bad.delete(name)) return;
      this.raise({
        event: 'skill-recovered', subject: `skill:${name}`, ending: true, ...ids, title: `${name} recovered`,
        message: 'Its last run succeeded.',
      });
      return;
    }
    this.bad.add(name);
    const tries = entry.attempt > 1 ? ` after ${entry.attempt} attempts` : '';
    this.raise({
      event: 'skill-failing', subject: `skill:${name}`, ending: false, ...ids, title: `${name} is failing`,
      message: `Its run ${undelivered(entry) ? runWords(entry) : outcomeWords(entry)}${tries}.`,
    });
  }

  private raise(d: AlertDraft): void {
    const a: RaisedAlert = { ...d, seq: ++this.seq, at: new Date(this.o.clock.now()).toISOString(), host: this.o.hostName };
    this.recentList.push(a);
    if (this.recentList.length > RECENT_ALERTS) this.recentList.shift();
    this.emit('alert', a);
  }

  recent(): RaisedAlert[] {
    return [...this.recentList];
  }
}
