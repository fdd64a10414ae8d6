import nodemailer from 'nodemailer';
import type { Outgoing } from './alert-format.ts';

/** What a channel answered: said in words for `alerts test` and the dashboard; never a secret. */
export interface SendResult {
  ok: boolean;
  answer: string;
}

export const SEND_TIMEOUT_MS = 10_000;

/** How much of an answer is kept (after the secrets are blanked out, so none is cut in half first). */
const ANSWER_CHARS = 200;
/** How much of a response body is read to find the answer in. */
const BODY_CHARS = 64 * 1024;

/**
 * Sends one delivery; never throws (a failure is a result, as a run's is). The answer is stored,
 * logged and shown (/api/health, the dashboard, alerts/outbox.json), so every secret the delivery
 * was made with, and its URL, is replaced by `[secret]` in it first.
 */
export async function send(o: Outgoing, timeoutMs = SEND_TIMEOUT_MS): Promise<SendResult> {
  let r: SendResult;
  try {
    r = o.kind === 'http' ? await sendHttp(o, timeoutMs) : await sendEmail(o, timeoutMs);
  } catch (err) {
    r = { ok: false, answer: failureWords(err) };
  }
  const secrets = [...(o.secrets ?? []), ...(o.kind === 'http' ? [o.url] : [o.user ?? '', o.password ?? ''])];
  return { ok: r.ok, answer: redactSecrets(r.answer, secrets).replace(/\s+/g, ' ').trim().slice(0, ANSWER_CHARS) };
}

/**
 * `text` with each secret replaced by `[secret]`, in the forms an answer may quote it: as it is,
 * URL-encoded (a path or query), JSON-escaped, and for a URL also as the URL parser writes it.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(encodeURI(s));
    forms.add(JSON.stringify(s).slice(1, -1));
    try {
      const u = new URL(s);
      forms.add(u.href);
      if (u.pathname.length > 1) for (const path of [u.pathname + u.search, u.pathname]) forms.add(path).add(encodeURIComponent(path));
    } catch {
      // not a URL
    }
  }
  // Longest first: a URL is blanked whole before the token inside it is.
  let out = text;
  for (const f of [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length)) out = out.split(f).join('[secret]');
  return out;
}

async function sendHttp(o: Extract<Outgoing, { kind: 'http' }>, timeoutMs: number): Promise<SendResult> {
  const r = await fetch(o.url, {
    method: o.method, headers: o.headers, ...(o.body !== undefined ? { body: o.body } : {}),
    signal: AbortSignal.timeout(timeoutMs), redirect: 'manual',
  });
  const text = (await r.text().catch(() => '')).slice(0, BODY_CHARS).replace(/\s+/g, ' ').trim();
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
      answer: `SMTP ${String(info.response).slice(0, BODY_CHARS)}${info.rejected.length ? ` (rejected: ${info.rejected.length})` : ''}`,
    };
  } finally {
    transport.close();
  }
}

/** An error in words without the request's URL (a Telegram token or a Slack hook lives in it; send() blanks the rest). */
function failureWords(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string }; code?: string; responseCode?: number; response?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time';
  if (e.responseCode) return `SMTP ${e.responseCode} ${String(e.response ?? '').slice(0, BODY_CHARS)}`;
  const code = e.cause?.code ?? e.code;
  return code ? `cannot connect (${code})` : e.message.replace(/https?:\/\/\S+/g, '<url>').slice(0, BODY_CHARS);
}
