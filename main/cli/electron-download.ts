// Runs the Electron download in a child process and bounds it: a deadline for the whole
// download and a stall limit (no progress for a while: a dead proxy, a captive portal). The
// child prints one JSON progress line per chunk ({"transferred","total"}); stderr's last line is
// the reason when it fails. A download cut off is killed with its process group.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DownloadProgress, DownloadResult } from './electron-binary.ts';

const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
/** The script that downloads through @electron/get, then lets Electron's install.js unpack it. */
export const FETCH_SCRIPT = fileURLToPath(new URL(`./electron-fetch${EXT}`, import.meta.url));

export interface BoundedDownloadOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The whole download (default 5 min). */
  deadlineMs?: number;
  /** No progress line for this long means stalled (default 30 s). */
  stallMs?: number;
  onProgress?: (p: DownloadProgress) => void;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export function boundedDownload(o: BoundedDownloadOptions): Promise<DownloadResult> {
  const deadlineMs = o.deadlineMs ?? 5 * 60_000;
  const stallMs = o.stallMs ?? 30_000;
  return new Promise((resolve) => {
    const child = spawn(o.command, o.args, { env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let settled = false;
    let lastErr = '';
    const finish = (r: DownloadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(stall);
      if (!r.ok && child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }
      resolve(r);
    };
    const deadline = setTimeout(() => finish({ ok: false, why: `it did not finish within ${seconds(deadlineMs)}` }), deadlineMs);
    let stall = setTimeout(() => finish({ ok: false, why: `it stalled: no progress for ${seconds(stallMs)}` }), stallMs);
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let p: DownloadProgress | null = null;
        try {
          p = JSON.parse(line) as DownloadProgress;
        } catch {
          continue; // install.js's own chatter
        }
        clearTimeout(stall);
        stall = setTimeout(() => finish({ ok: false, why: `it stalled: no progress for ${seconds(stallMs)}` }), stallMs);
        o.onProgress?.(p);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = chunk.split('\n').map((l) => l.trim()).filter(Boolean);
      if (lines.length) lastErr = lines[lines.length - 1]!;
    });
    child.on('error', (err) => finish({ ok: false, why: err.message }));
    child.on('close', (code, signal) => {
      if (code === 0) finish({ ok: true });
      else finish({ ok: false, why: lastErr || `the downloader exited with ${code ?? signal}` });
    });
  });
}

/** One progress line for a terminal (rewritten in place) or a log (every 10 %). */
export function progressPrinter(out: NodeJS.WriteStream, label: string): (p: DownloadProgress) => void {
  let lastTenth = -1;
  const mb = (n: number) => (n / 1048576).toFixed(1);
  return (p) => {
    const pct = p.total ? Math.floor((p.transferred / p.total) * 100) : null;
    const text = `${label}: ${mb(p.transferred)}${p.total ? `/${mb(p.total)}` : ''} MB${pct !== null ? ` (${pct}%)` : ''}`;
    if (out.isTTY) out.write(`\r${text}${pct === 100 ? '\n' : ''}`);
    else if (pct === null || Math.floor(pct / 10) !== lastTenth) {
      lastTenth = pct === null ? lastTenth : Math.floor(pct / 10);
      out.write(`${text}\n`);
    }
  };
}
