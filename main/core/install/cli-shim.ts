// The `clawkeeper` command for people who installed the packaged app and never cloned the
// repository (as VS Code's "Install 'code' command in PATH"): a small shell script that runs the
// app's own binary with --cli (the RunAsNode fuse is off, so the binary cannot act as Node; its
// main process runs the CLI instead).
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARK = '# clawkeeper command shim';

export function cliShim(appBinary: string): string {
  const q = `'${appBinary.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh\n${MARK}: runs the ClawKeeper app's CLI (installed from its menu)\nexec ${q} --cli "$@"\n`;
}

export type ShimResult = { ok: true; path: string; onPath: boolean } | { ok: false; why: string };

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the shim into the first candidate folder that is writable (created if it is under the
 * user's home), never over a `clawkeeper` that is not ours.
 */
export function installCliShim(appBinary: string, candidates: string[], userHome: string, pathEnv = ''): ShimResult {
  for (const dir of candidates) {
    if (!existsSync(dir)) {
      if (!dir.startsWith(userHome + '/')) continue;
      mkdirSync(dir, { recursive: true });
    }
    if (!writable(dir)) continue;
    const file = join(dir, 'clawkeeper');
    if (existsSync(file) && !readFileSync(file, 'utf8').includes(MARK)) return {
      ok: false, why: `${file} exists and is not ClawKeeper's: remove it, or add ClawKeeper's own to your PATH`,
    };
    writeFileSync(`${file}.tmp`, cliShim(appBinary), { mode: 0o755 });
    chmodSync(`${file}.tmp`, 0o755);
    renameSync(`${file}.tmp`, file);
    return { ok: true, path: file, onPath: pathEnv.split(':').includes(dir) };
  }
  return { ok: false, why: `none of ${candidates.join(', ')} is writable` };
}

/** Where the shim goes, in order: the usual folder on PATH, then the user's own. */
export function shimCandidates(userHome: string): string[] {
  return ['/usr/local/bin', join(userHome, '.local', 'bin'), join(userHome, 'bin')];
}
