// daily-memory: turns today's session events (sessions/<id>.jsonl) into memory/<date>.md.
// Same input, same output: no model, no network. Re-running rewrites the day's file.
// With a model turned on for it (config.json "skills": {"daily-memory": {"model": {"name":
// "default", "optional": true}}}), a model's summary goes above the same digest; when the model
// is down or over budget, the digest alone is written. `mode=model|digest` says which.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MAX_LINES_PER_SESSION = 20;

function localDate(ts) {
  const d = new Date(ts);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function textOf(data) {
  if (typeof data === 'string') return data;
  if (data && typeof data === 'object') {
    for (const key of ['text', 'message', 'content', 'summary']) if (typeof data[key] === 'string') return data[key];
  }
  return JSON.stringify(data ?? null);
}

const SUMMARY_PROMPT = 'Summarize this day of agent sessions for a memory file: at most 5 short bullet points, facts only.\n\n';

/**
 * @param {{home: string, slot: string|null, logger: {info: Function, warn: Function}, signal:
 * AbortSignal, model?: {chat: Function}}} ctx
 */
export default async function dailyMemory(ctx) {
  const day = localDate(ctx.slot ?? Date.now());
  const sessionsDir = join(ctx.home, 'sessions');
  let files = [];
  try {
    files = (await readdir(sessionsDir)).filter((f) => f.endsWith('.jsonl')).sort();
  } catch {
    // no sessions yet: an empty digest is still a digest
  }
  const sections = [];
  let events = 0;
  let skipped = 0;
  for (const f of files) {
    ctx.signal.throwIfAborted();
    // A session past its size cap was rotated to <id>.jsonl.1: today's events may be in both.
    const older = await readFile(join(sessionsDir, `${f}.1`), 'utf8').catch(() => '');
    const lines = (older + '\n' + (await readFile(join(sessionsDir, f), 'utf8'))).split('\n');
    const today = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      let e;
      try {
        e = JSON.parse(line);
      } catch {
        skipped++;
        continue;
      }
      if (typeof e.ts !== 'string' || localDate(e.ts) !== day) continue;
      today.push(e);
    }
    if (today.length === 0) continue;
    events += today.length;
    const kinds = {};
    for (const e of today) kinds[e.kind ?? 'event'] = (kinds[e.kind ?? 'event'] ?? 0) + 1;
    const id = f.replace(/\.jsonl$/, '');
    const out = [
      `## Session ${id}`, '',
      `${today.length} events (${Object.entries(kinds).map(([k, n]) => `${k}: ${n}`).join(', ')}), ${today[0].ts.slice(11, 16)}–${today[today.length - 1].ts.slice(11, 16)} UTC`,
      '',
    ];
    for (const e of today.slice(-MAX_LINES_PER_SESSION)) {
      out.push(`- ${e.ts.slice(11, 19)} ${e.kind ?? 'event'}: ${textOf(e.data).replace(/\s+/g, ' ').slice(0, 200)}`);
    }
    sections.push(out.join('\n'));
  }
  const memoryDir = join(ctx.home, 'memory');
  await mkdir(memoryDir, { recursive: true });
  const file = join(memoryDir, `${day}.md`);
  const digest = sections.length ? sections.join('\n\n') : '_No session activity today._';
  let summary = null;
  if (ctx.model && sections.length > 0) {
    try {
      const r = await ctx.model.chat({ messages: [{ role: 'user', content: SUMMARY_PROMPT + digest }], maxTokens: 400 });
      summary = r.text.trim() || null;
    } catch (err) {
      // The model is down, refused or over budget: the deterministic digest is still the memory.
      ctx.logger.warn(`model summary unavailable, writing the digest alone: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const body = [`# Memory for ${day}`, '', ...(summary ? ['## Summary', '', summary, ''] : []), digest, ''].join('\n');
  await writeFile(file + '.tmp', body);
  await rename(file + '.tmp', file);
  if (skipped) ctx.logger.warn(`${skipped} unreadable session lines skipped`);
  ctx.logger.info(`wrote ${file}: ${sections.length} sessions, ${events} events`);
  return { date: day, sessions: sections.length, events, file: `memory/${day}.md`, mode: summary ? 'model' : 'digest' };
}
