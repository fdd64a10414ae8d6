import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appendJsonl } from '../../home/jsonl.ts';
import { storageWords } from '../../health/storage-health.ts';
import { SessionFileReader } from './session-file.ts';

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
/** Each session file is rotated past this size; one older generation is kept (`<id>.jsonl.1`). */
export const SESSION_FILE_MAX_BYTES = Number(process.env.CLAWKEEPER_SESSION_FILE_BYTES ?? 4 * 1024 * 1024);
/** How much of the end of a file is read to find the last seq and the recent publish ids. */
const TAIL_BYTES = 256 * 1024;

/** The rotated generation of a session file: never ends in `.jsonl`, so it can never be an id's file. */
export function previousGeneration(file: string): string {
  return `${file}.1`;
}

/**
 * Session history in sessions/<id>.jsonl, one event a line with a sequence number that never
 * repeats: the next number comes from the file's last line, so it survives a restart. Bounded:
 * past SESSION_FILE_MAX_BYTES the file becomes `<id>.jsonl.1` (the older one goes), so a session
 * holds at most twice that. A `since` subscription bisects the file for its seq instead of reading
 * it all (session-file.ts).
 */
export class SessionStore {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly warned = new Set<string>();
  private readonly seqs = new Map<string, number>();
  private readonly ids = new Map<string, Map<string, number>>();
  private readonly sizes = new Map<string, number>();
  readonly reader = new SessionFileReader();

  constructor(dir: string, maxBytes = SESSION_FILE_MAX_BYTES) {
    this.dir = dir;
    this.maxBytes = maxBytes;
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

  lastSeq(id: string): number {
    let s = this.seqs.get(id);
    if (s === undefined) {
      const f = this.file(id);
      // The current file's tail, or the previous generation's when the current one is new.
      let lines = this.reader.tailLines(f, TAIL_BYTES);
      if (lines.length === 0) lines = this.reader.tailLines(previousGeneration(f), TAIL_BYTES);
      const ids = new Map<string, number>();
      s = 0;
      for (const line of lines) {
        try {
          const e = JSON.parse(line) as SessionEvent;
          if (typeof e.seq !== 'number') continue;
          s = Math.max(s, e.seq);
          if (e.pid) ids.set(e.pid, e.seq);
        } catch {
          // a torn line: its seq is never reused (the next one is read from a later line)
        }
      }
      while (ids.size > IDS_KEPT) ids.delete(ids.keys().next().value!);
      this.seqs.set(id, s);
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
  /** Told when writeProblem changes (the session layer tells the host). */
  onProblem: (problem: string | null) => void = () => undefined;

  /**
   * Stores and numbers an event. A write that fails (ENOSPC, EROFS, ...) throws a
   * SessionWriteError and changes nothing: the session layer answers the publisher with an error
   * (its client keeps the publish and sends it again) and never crashes on it.
   */
  append(id: string, kind: string, data: unknown, pid?: string): SessionEvent {
    const seq = this.lastSeq(id) + 1;
    const e: SessionEvent = { type: 'event', session: id, seq, ts: new Date().toISOString(), kind, data, ...(pid ? { pid } : {}) };
    const f = this.file(id);
    try {
      this.rotateIfFull(id, f);
      appendJsonl(f, e);
      if (this.writeProblem) {
        console.error(`[session] session history is writable again (${this.dir})`);
        this.writeProblem = null;
        this.onProblem(null);
      }
    } catch (err) {
      this.sizes.delete(id);
      const problem = `${storageWords((err as NodeJS.ErrnoException).code)}: ${this.dir}; session history is not stored`;
      if (problem !== this.writeProblem) {
        console.error(`[session] ${problem}; events are not stored until it can write again`);
        this.writeProblem = problem;
        this.onProblem(problem);
      }
      throw new SessionWriteError(problem);
    }
    this.sizes.set(id, (this.sizes.get(id) ?? 0) + Buffer.byteLength(JSON.stringify(e)) + 1);
    this.seqs.set(id, seq);
    if (pid) {
      const ids = this.ids.get(id)!;
      ids.set(pid, seq);
      if (ids.size > IDS_KEPT) ids.delete(ids.keys().next().value!);
    }
    return e;
  }

  private rotateIfFull(id: string, f: string): void {
    let size = this.sizes.get(id);
    if (size === undefined) {
      try {
        size = statSync(f).size;
      } catch {
        size = 0;
      }
      this.sizes.set(id, size);
    }
    if (size < this.maxBytes) return;
    renameSync(f, previousGeneration(f));
    this.sizes.set(id, 0);
  }

  /** Events after `seq`, from both generations, oldest first, without reading what comes before. */
  since(id: string, seq: number): SessionEvent[] {
    const f = this.file(id);
    const current = this.reader.eventsAfter<SessionEvent>(f, seq, (m) => this.warn(m));
    // The older generation matters only when the current file does not reach back to `seq`.
    const first = current[0]?.seq;
    if (first !== undefined && first <= seq + 1) return current;
    if (!existsSync(previousGeneration(f))) return current;
    const older = this.reader.eventsAfter<SessionEvent>(
      previousGeneration(f), seq, (m) => this.warn(m),
    ).filter((e) => first === undefined || e.seq < first);
    return [...older, ...current];
  }
}

export class SessionWriteError extends Error {}
