import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

// Reading a session history file without reading all of it. Lines are appended in seq order, so
// the line holding a seq is found by bisecting byte offsets: about log2(size / 4 KiB) reads of a
// few KiB, whatever the size of the history.

export interface ParsedLine<T> {
  value: T;
  /** Byte offset just after this line. */
  end: number;
}

export class SessionFileReader {
  /** Bytes read through this reader since it was made (what the bounded-read test measures). */
  bytesRead = 0;

  private read(fd: number, pos: number, len: number): Buffer {
    const buf = Buffer.alloc(len);
    const n = readSync(fd, buf, 0, len, pos);
    this.bytesRead += n;
    return buf.subarray(0, n);
  }

  /** The first whole line starting at or after `pos`: its seq and where it starts; null past the end. */
  private lineAt(fd: number, pos: number, size: number): { seq: number | null; start: number; end: number } | null {
    let start = pos;
    if (pos > 0) {
      // skip the rest of the line `pos` falls in
      let p = pos - 1;
      for (;;) {
        if (p >= size) return null;
        const chunk = this.read(fd, p, 4096);
        const nl = chunk.indexOf(0x0a);
        if (nl >= 0) {
          start = p + nl + 1;
          break;
        }
        p += chunk.length;
        if (chunk.length === 0) return null;
      }
    }
    if (start >= size) return null;
    const parts: Buffer[] = [];
    let p = start;
    for (;;) {
      const chunk = this.read(fd, p, 4096);
      if (chunk.length === 0) break;
      const nl = chunk.indexOf(0x0a);
      if (nl >= 0) {
        parts.push(chunk.subarray(0, nl));
        p += nl + 1;
        break;
      }
      parts.push(chunk);
      p += chunk.length;
    }
    const m = /"seq":(\d+)/.exec(Buffer.concat(parts).subarray(0, 400).toString('utf8'));
    return { seq: m ? Number(m[1]) : null, start, end: p };
  }

  /** Byte offset of a line at or before the first line with seq > `seq` (0 when unsure). */
  private offsetAfter(fd: number, size: number, seq: number): number {
    let lo = 0;
    let hi = size;
    while (hi - lo > 8192) {
      const mid = Math.floor((lo + hi) / 2);
      const line = this.lineAt(fd, mid, size);
      if (!line || line.start >= hi) {
        hi = mid;
        continue;
      }
      // lo only ever moves to a line whose seq is <= the one asked for (seqs grow down the file),
      // so scanning forward from lo misses nothing; a torn line just narrows the search leftwards.
      if (line.seq !== null && line.seq <= seq) lo = line.start;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Every valid event after `seq` in `file`, in order; `onBad(lineNumberHint)` for lines that are
   * not JSON. Reads from near the first wanted line, not from the start.
   */
  eventsAfter<T extends { seq: number }>(file: string, seq: number, onBad: (what: string) => void): T[] {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return [];
    }
    try {
      const size = fstatSync(fd).size;
      const from = seq > 0 ? this.offsetAfter(fd, size, seq) : 0;
      const out: T[] = [];
      // Where a bad line is: its number when read from the start, else its byte offset.
      let lineNo = 0;
      let lineStart = from;
      const where = () => (from === 0 ? `${file}:${lineNo}` : `${file} (at byte ${lineStart})`);
      let rest = '';
      let pos = from;
      // A multi-byte character may straddle two chunks: decode across them.
      const decoder = new StringDecoder('utf8');
      const takeLine = (line: string) => {
        lineNo++;
        this.take(line, seq, out, (m) => onBad(`${where()}: ${m}`));
        lineStart += Buffer.byteLength(line) + 1;
      };
      while (pos < size) {
        const chunk = this.read(fd, pos, Math.min(64 * 1024, size - pos));
        if (chunk.length === 0) break;
        pos += chunk.length;
        const text = rest + decoder.write(chunk);
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) takeLine(line);
      }
      rest += decoder.end();
      if (rest) takeLine(rest);
      return out;
    } finally {
      closeSync(fd);
    }
  }

  private take<T extends { seq: number }>(line: string, seq: number, out: T[], onBad: (what: string) => void): void {
    if (!line.trim()) return;
    try {
      const e = JSON.parse(line) as T;
      if (typeof e.seq !== 'number') onBad('skipped a line without a sequence number');
      else if (e.seq > seq) out.push(e);
    } catch {
      // a torn line (crash mid-write) is skipped; its seq is never reused
      onBad('skipped a corrupt line (not JSON)');
    }
  }

  /** The last `bytes` of a file as whole lines (for the last seq and recent publish ids). */
  tailLines(file: string, bytes: number): string[] {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return [];
    }
    try {
      const size = fstatSync(fd).size;
      const from = Math.max(0, size - bytes);
      const text = this.read(fd, from, size - from).toString('utf8');
      const lines = text.split('\n');
      if (from > 0) lines.shift(); // partial first line
      return lines.filter((l) => l.trim() !== '');
    } finally {
      closeSync(fd);
    }
  }
}
