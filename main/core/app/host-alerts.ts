import type { AlertsView } from '../../common/alerts.ts';
import type { HealthReport } from '../../common/layer-protocol.ts';
import type { Host } from '../host/host.ts';
import type { Logger } from '../home/logger.ts';
import type { Clock } from '../scheduling/clock.ts';
import { AlertService, hostName } from '../alerts/alert-service.ts';
import { AlertSource } from '../alerts/alert-source.ts';
import { Pinger } from '../alerts/pinger.ts';

export interface HostAlertsOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  clock: Clock;
  /** The real timer's period (tests on a FakeClock call tick() themselves). */
  everyMs?: number;
}

/**
 * A host's alerts and pings, wired to its events: the alert source (one stream for every
 * consumer), the channels' outbox, the skills' pings and the machine's heartbeat. Attached
 * before the host starts, so what its start finds (an unclean stop, runs cut off) is told too.
 */
export class HostAlerts {
  readonly source: AlertSource;
  readonly service: AlertService;
  readonly pinger: Pinger;
  private readonly host: Host;
  private readonly o: HostAlertsOptions;
  private timer: NodeJS.Timeout | undefined;
  private lastReport: HealthReport | null = null;
  private lastHeartbeat = -Infinity;

  constructor(host: Host, o: HostAlertsOptions) {
    this.host = host;
    this.o = o;
    this.source = new AlertSource({ hostName: hostName(), clock: o.clock });
    this.service = new AlertService({
      home: host.paths.home,
      configFile: host.paths.config,
      outboxFile: host.paths.alertsOutbox,
      env: o.env,
      logger: o.logger,
      clock: o.clock,
      networkDown: () => host.dependencies.isDown('network'),
      skillAlerts: (name) => host.listSkills().find((s) => s.name === name)?.manifest?.alerts,
    });
    this.pinger = new Pinger({ clock: o.clock, logger: o.logger });
    this.source.attach(host);
    this.source.on('alert', (a) => this.service.enqueue(a));
    const ping = (name: string) => host.listSkills().find((s) => s.name === name)?.manifest?.ping;
    host.on('run-start', (e) => {
      const url = ping(e.skill);
      if (url) this.pinger.runStarted(e.skill, url);
    });
    host.on('run-final', ({ entry }) => {
      const url = ping(entry.skill);
      if (url) this.pinger.runEnded(entry.skill, url, entry);
    });
    // The network is back: what the outbox held goes now, not at the next tick.
    host.on('dependency', (t) => t.dependency === 'network' && t.status === 'ok' && void this.service.pump());
  }

  /** After host.start(): the outbox the previous host left, an unclean stop, the timer. */
  start(): void {
    this.service.start();
    if (this.host.uncleanStop) this.source.hostRestarted(this.host.uncleanStop);
    this.timer = setInterval(() => void this.tick(), this.o.everyMs ?? 1000);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Each health report the host composes (LayerLink's snapshot, at least every second). */
  onReport(report: HealthReport): void {
    this.lastReport = report;
    this.source.onReport(report);
  }

  /** One round: due deliveries, due ping retries, the heartbeat if it is time. */
  async tick(): Promise<void> {
    await Promise.all([this.service.pump(), this.pinger.pump(), this.heartbeat()]);
  }

  private async heartbeat(): Promise<void> {
    const hb = this.service.config().heartbeat;
    const now = this.o.clock.now();
    if (!hb || now - this.lastHeartbeat < hb.everySeconds * 1000 || this.runtimeDown()) return;
    this.lastHeartbeat = now;
    await this.pinger.heartbeat(hb.url);
  }

  /** The runtime cannot run skills: no heartbeat, so the outside service raises the alarm. */
  private runtimeDown(): boolean {
    if (this.lastReport) return this.lastReport.layers.runtime.status === 'failed';
    return this.host.storageHealth().status === 'runs-failing';
  }

  test(channel?: string): ReturnType<AlertService['test']> {
    return this.service.test(channel);
  }

  view(): AlertsView {
    const s = this.service.view();
    // A skill naming a channel that does not exist is said before its first alert is lost to it.
    const channels = this.service.config().channels;
    const unknown = this.host.listSkills().flatMap(
      (k) => (k.manifest?.alerts || []).filter((n) => !channels.has(n)).map(
        (n) => `skill ${k.name}: alerts names "${n}", which is not in config.json alerts.channels`,
      ),
    );
    return {
      recent: this.source.recent(), targets: [...s.targets, ...this.pinger.targets()],
      problems: [...new Set([...s.problems, ...unknown])],
    };
  }
}
