import type { AlertBody, AlertEventName } from '../../common/alerts.ts';
import type { ChannelConfig } from './alert-config.ts';

/**
 * One delivery, ready to send: an HTTP request or an email. Holds secrets: never logged or shown.
 * `secrets`: every secret value it was made with, which send() blanks out of what it answers (a
 * server's error page or a library's error may quote the URL, the token or a header).
 */
export type Outgoing =
  | { kind: 'http'; url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; secrets?: string[] }
  | {
    kind: 'email'; smtp: string; user?: string; password?: string; from: string; to: string[]; subject: string;
    text: string; secrets?: string[];
  };

/** What a channel formats: the webhook body's facts and a title for those that have one. */
export interface AlertToSend extends AlertBody {
  title: string;
}

export type SecretReader = (ref: NonNullable<ChannelConfig['url']>) => string;

const GOOD: readonly AlertEventName[] = ['skill-recovered', 'layer-recovered', 'dependency-up', 'disk-ok', 'test'];
const URGENT: readonly AlertEventName[] = ['layer-failed', 'disk-full', 'host-restarted'];

/** Bad news, good news or a notice: ntfy's priority and tags, and the words of the others. */
export function severity(e: AlertEventName): 'good' | 'bad' | 'urgent' {
  return GOOD.includes(e) ? 'good' : URGENT.includes(e) ? 'urgent' : 'bad';
}

/** "08:10" in the machine's time zone: what a person reads on their phone. */
function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

/** The message with what the formats share: the suppressed count and a late delivery said in words. */
export function alertText(a: AlertToSend): string {
  const facts = [
    a.skill && `skill ${a.skill}`, a.outcome && `outcome ${a.outcome}`, a.runId && `run ${a.runId}`,
    a.slot && `slot ${a.slot}`,
  ].filter(Boolean).join(', ');
  const lines = [a.message];
  if (facts) lines.push(facts);
  if (a.suppressed) lines.push(`(and ${a.suppressed.count} more since ${clockTime(a.suppressed.since)})`);
  if (a.delayed) lines.push(`(delayed: this happened at ${a.at})`);
  lines.push(`on ${a.host}`);
  return lines.join('\n');
}

/** The webhook body of the contract: only its fields, in its order. */
export function webhookBody(a: AlertToSend): AlertBody {
  const { event, skill, outcome, runId, slot, message, at, host, delayed, suppressed } = a;
  return {
    event,
    ...(skill !== undefined ? { skill } : {}),
    ...(outcome !== undefined ? { outcome } : {}),
    ...(runId !== undefined ? { runId } : {}),
    ...(slot !== undefined ? { slot } : {}),
    message,
    at,
    host,
    ...(delayed ? { delayed } : {}),
    ...(suppressed ? { suppressed } : {}),
  };
}

/** A header value: ASCII as it is, anything else as RFC 2047 UTF-8 (which ntfy decodes). */
function headerText(s: string): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

const NTFY_TAGS = { good: 'white_check_mark', bad: 'warning', urgent: 'rotating_light' } as const;
const NTFY_PRIORITY = { good: '3', bad: '4', urgent: '5' } as const;
const json = { 'content-type': 'application/json' };

/** One alert in a channel's own format, with the secrets it holds. Throws (naming the config field) when a secret cannot be read. */
export function formatAlert(c: ChannelConfig, a: AlertToSend, read: SecretReader): Outgoing {
  const secrets: string[] = [];
  const secret: SecretReader = (ref) => {
    const v = read(ref);
    secrets.push(v);
    return v;
  };
  return { ...channelFormat(c, a, secret), secrets };
}

function channelFormat(c: ChannelConfig, a: AlertToSend, secret: SecretReader): Outgoing {
  const text = alertText(a);
  const sev = severity(a.event);
  const title = `${a.delayed ? '(delayed) ' : ''}${a.title}`;
  switch (c.type) {
    case 'webhook':
      return { kind: 'http', method: 'POST', url: secret(c.url!), headers: json, body: JSON.stringify(webhookBody(a)) };
    case 'ntfy': {
      // https://docs.ntfy.sh/publish/: the body is the message; title, priority and tags are headers.
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=utf-8', Title: headerText(title), Priority: NTFY_PRIORITY[sev],
        Tags: `${NTFY_TAGS[sev]},${a.event}`,
      };
      if (c.token) headers.Authorization = `Bearer ${secret(c.token)}`;
      return { kind: 'http', method: 'POST', url: secret(c.url!), headers, body: text };
    }
    case 'slack':
      return { kind: 'http', method: 'POST', url: secret(c.url!), headers: json, body: JSON.stringify({ text: `*${title}*\n${text}` }) };
    case 'discord':
      // Discord refuses content over 2000 characters.
      return {
        kind: 'http', method: 'POST', url: secret(c.url!), headers: json,
        body: JSON.stringify({ content: `**${title}**\n${text}`.slice(0, 2000) }),
      };
    case 'telegram':
      // https://core.telegram.org/bots/api#sendmessage: the token is part of the path (Telegram's
      // design); this URL is never logged or shown, only the channel's name.
      return {
        kind: 'http', method: 'POST', url: `${c.apiBase}/bot${secret(c.botToken!)}/sendMessage`, headers: json,
        body: JSON.stringify({ chat_id: c.chatId, text: `${title}\n${text}`.slice(0, 4096), disable_web_page_preview: true }),
      };
    case 'email':
      return {
        kind: 'email',
        smtp: c.smtp!,
        ...(c.user ? { user: secret(c.user) } : {}),
        ...(c.password ? { password: secret(c.password) } : {}),
        from: c.from!,
        to: c.to!,
        subject: `[ClawKeeper ${a.host}] ${title}`,
        text: `${text}\n\nevent: ${a.event}\nat: ${a.at}\n`,
      };
  }
}
