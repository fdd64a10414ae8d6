import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendJsonl } from '../jsonl.ts';

export const SESSION_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** The host's own session (runs, skips, layer transitions): only the host writes it, over IPC. */
export const HOST_SESSION_ID = 'clawkeeper';

export interface SessionEvent {
  type: 'event';
  session: string;
  seq: number;
  ts: string;
  kind: string;
  data: unknown;
  /** The publisher's id for this event, so a publish sent again after a reconnect is stored once. */
  pid?: string;
}

const IDS_KEPT = 2000;

/**
 * Session history in sessions/<id>.jsonl, one event a line with a sequence number that never
 * repeats: the next number comes from the file's last line, so it survives a restart.
 */
export class SessionStore {
  private readonly dir: string;
  private readonly warned = new Set<string>();
  private readonly seqs = new Map<string, number>();
  private readonly ids = new Map<string, Map<string, number>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Each bad line is reported once per process, not at every replay. */
  private warn(message: string): void {
    if (this.warned.has(message) || this.warned.size > 1000) return;
    this.warned.add(message);
    console.error(`[session] ${message}`);
  }

  private file(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  private readAll(id: string): SessionEvent[] {
    const f = this.file(id);
    if (!existsSync(f)) return [];
    const out: SessionEvent[] = [];
    const lines = readFileSync(f, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line) continue;
      try {
        const e = JSON.parse(line) as SessionEvent;
        if (typeof e.seq === 'number') out.push(e);
        else this.warn(`${f}:${i + 1}: skipped a line without a sequence number`);
      } catch {
        // a torn line (crash mid-write) is skipped; its seq is never reused
        this.warn(`${f}:${i + 1}: skipped a corrupt line (not JSON)`);
      }
    }
    return out;
  }

  lastSeq(id: string): number {
    let s = this.seqs.get(id);
    if (s === undefined) {
      const all = this.readAll(id);
      s = all.reduce((m, e) => Math.max(m, e.seq), 0);
      this.seqs.set(id, s);
      const ids = new Map<string, number>();
      for (const e of all.slice(-IDS_KEPT)) if (e.pid) ids.set(e.pid, e.seq);
      this.ids.set(id, ids);
    }
    return s;
  }

  /** The seq an earlier publish with this id got, if it is among the recent ones. */
  seqOf(id: string, pid: string): number | undefined {
    this.lastSeq(id);
    return this.ids.get(id)?.get(pid);
  }

  /** Why the last append could not be stored (a full disk), or null; reported once per change. */
  writeProblem: string | null = null;

  /**
   * Stores and numbers an event. A write that fails (ENOSPC, EROFS, ...) throws a
   * SessionWriteError and changes nothing: the session layer answers the publisher with an error
   * (its client keeps the publish and sends it again) and never crashes on it.
   */
  append(id: string, kind: string, data: unknown, pid?: string): SessionEvent {
    const seq = this.lastSeq(id) + 1;
    const e: SessionEvent = { type: 'event', session: id, seq, ts: new Date().toISOString(), kind, data, ...(pid ? { pid } : {}) };
    try {
      appendJsonl(this.file(id), e);
      if (this.writeProblem) console.error(`[session] session history is writable again (${this.dir})`);
      this.writeProblem = null;
    } catch (err) {
      const problem = `cannot store session history in ${this.dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      if (problem !== this.writeProblem) console.error(`[session] ${problem}; events are not stored until it can write again`);
      this.writeProblem = problem;
      throw new SessionWriteError(problem);
    }
    this.seqs.set(id, seq);
    if (pid) {
      const ids = this.ids.get(id)!;
      ids.set(pid, seq);
      if (ids.size > IDS_KEPT) ids.delete(ids.keys().next().value!);
    }
    return e;
  }

  since(id: string, seq: number): SessionEvent[] {
    return this.readAll(id).filter((e) => e.seq > seq);
  }
}

export class SessionWriteError extends Error {}
