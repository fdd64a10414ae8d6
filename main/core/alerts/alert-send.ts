import nodemailer from 'nodemailer';
import type { Outgoing } from './alert-format.ts';

/** What a channel answered: said in words for `alerts test` and the dashboard; never a secret. */
export interface SendResult {
  ok: boolean;
  answer: string;
}

export const SEND_TIMEOUT_MS = 10_000;

/** Sends one delivery; never throws (a failure is a result, as a run's is). */
export async function send(o: Outgoing, timeoutMs = SEND_TIMEOUT_MS): Promise<SendResult> {
  try {
    return o.kind === 'http' ? await sendHttp(o, timeoutMs) : await sendEmail(o, timeoutMs);
  } catch (err) {
    return { ok: false, answer: failureWords(err) };
  }
}

async function sendHttp(o: Extract<Outgoing, { kind: 'http' }>, timeoutMs: number): Promise<SendResult> {
  const r = await fetch(o.url, {
    method: o.method, headers: o.headers, ...(o.body !== undefined ? { body: o.body } : {}),
    signal: AbortSignal.timeout(timeoutMs), redirect: 'manual',
  });
  const text = (await r.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
  return { ok: r.status >= 200 && r.status < 300, answer: `HTTP ${r.status}${text ? ` ${text}` : ''}` };
}

async function sendEmail(o: Extract<Outgoing, { kind: 'email' }>, timeoutMs: number): Promise<SendResult> {
  const u = new URL(o.smtp);
  const secure = u.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host: u.hostname,
    port: Number(u.port) || (secure ? 465 : 587),
    secure,
    ...(o.user !== undefined ? { auth: { user: o.user, pass: o.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({ from: o.from, to: o.to, subject: o.subject, text: o.text });
    const accepted = info.accepted.length;
    return {
      ok: accepted > 0,
      answer: `SMTP ${String(info.response).slice(0, 200)}${info.rejected.length ? ` (rejected: ${info.rejected.length})` : ''}`,
    };
  } finally {
    transport.close();
  }
}

/** An error in words without the request's URL (a Telegram token or a Slack hook lives in it). */
function failureWords(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string }; code?: string; responseCode?: number; response?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time';
  if (e.responseCode) return `SMTP ${e.responseCode} ${String(e.response ?? '').slice(0, 200)}`;
  const code = e.cause?.code ?? e.code;
  return code ? `cannot connect (${code})` : e.message.replace(/https?:\/\/\S+/g, '<url>').slice(0, 200);
}
