// Alerts: what the host raises when something changes (a skill failing, a layer down, a
// partition…), in one vocabulary for every consumer: the native notifier, the alert channels
// (webhook, ntfy, Slack, Discord, Telegram, email) and the dashboard. ARCHITECTURE.md "Alerts".

export const ALERT_EVENTS = [
  'skill-failing',
  'skill-recovered',
  'skill-late',
  'breaker-tripped',
  'budget-spent',
  'layer-failed',
  'layer-recovered',
  'dependency-down',
  'dependency-up',
  'disk-full',
  'disk-ok',
  'host-restarted',
  /** Sent by `clawkeeper alerts test` only. */
  'test',
] as const;

export type AlertEventName = (typeof ALERT_EVENTS)[number];

export const CHANNEL_TYPES = ['webhook', 'ntfy', 'slack', 'discord', 'telegram', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** The webhook body (the contract); the other channel types carry the same facts in their format. */
export interface AlertBody {
  event: AlertEventName;
  skill?: string;
  outcome?: string;
  runId?: string;
  slot?: string;
  message: string;
  /** When it happened (ISO-8601 UTC), not when it was delivered. */
  at: string;
  /** The machine's name. */
  host: string;
  /** Held (the network was down, or the channel failed) and delivered later than it happened. */
  delayed?: true;
  /** Alerts this channel did not send since the last one it did (cooldown, hourly cap). */
  suppressed?: { count: number; since: string };
}

/** One alert as raised by the host: the facts, a title for a notification, and what it is about. */
export interface RaisedAlert extends AlertBody {
  /** Counts up for the life of a host: a consumer shows each seq once. */
  seq: number;
  title: string;
  /** Cooldown key: one alert per subject per cooldown ("skill:backup", "layer:gateway"…). */
  subject: string;
  /** The end of something already told (recovered, back): told whatever the cooldown. */
  ending: boolean;
}

/** Where alerts and pings go, as every view shows it: last delivery, last error. Never a secret. */
export interface DeliveryTargetView {
  /** A channel's name, `ping:<skill>` or `heartbeat`. */
  name: string;
  type: ChannelType | 'ping' | 'heartbeat';
  lastDelivery: string | null;
  lastError: { at: string; message: string } | null;
  /** Waiting in the outbox (alerts) or for a retry (pings). */
  pending: number;
  /** The outbox holds what is pending because the `network` dependency is down (sent when it is back). */
  held?: boolean;
}

export interface AlertsView {
  /** The newest alerts raised by this host (the native notifier shows each seq once). */
  recent: RaisedAlert[];
  targets: DeliveryTargetView[];
  /** What is wrong with config.json `alerts`/`heartbeat` or a skill's `alerts`/`ping`. */
  problems: string[];
}
