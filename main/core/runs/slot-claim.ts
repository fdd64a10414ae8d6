import { mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Exclusive claims of one slot of one skill by `clawkeeper run-once`: runs/_claims/<skill>/<slot>.json,
 * created with O_CREAT|O_EXCL ('wx'), so of two run-once started for the same slot (on one
 * machine, or in two pods sharing the volume) exactly one creates it. It records the host name
 * and the time, not a pid: a pid means nothing on another machine.
 *
 * A claim only guards the instant between "the ledger has no entry for this slot" and "the ledger
 * has its start entry"; after that the ledger itself refuses the slot. So the owner removes its
 * claim when it is done, and a claim left by a killed pod is harmless and pruned after a day.
 * O_EXCL is atomic on local file systems and on NFSv3+ (and the CSI volumes built on them).
 */
export interface SlotClaim {
  host: string;
  at: string;
  file: string;
}

const PRUNE_AFTER_MS = 24 * 3600_000;

export function claimsDir(runsDir: string): string {
  return join(runsDir, '_claims');
}

/** A slot ISO time as a file name (no colons, which some file systems refuse). */
export function claimFile(runsDir: string, skill: string, slotIso: string): string {
  return join(claimsDir(runsDir), skill, `${slotIso.replace(/:/g, '-')}.json`);
}

/** Takes the claim, or returns who holds it. */
export function claimSlot(
  runsDir: string, skill: string, slotIso: string, now: number, host = hostname(),
): { ok: true; claim: SlotClaim } | { ok: false; holder: SlotClaim } {
  const file = claimFile(runsDir, skill, slotIso);
  mkdirSync(join(claimsDir(runsDir), skill), { recursive: true, mode: 0o700 });
  const claim: SlotClaim = { host, at: new Date(now).toISOString(), file };
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify({ skill, slot: slotIso, host: claim.host, at: claim.at }) + '\n');
    } finally {
      closeSync(fd);
    }
    return { ok: true, claim };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { ok: false, holder: readClaim(file) };
  }
}

function readClaim(file: string): SlotClaim {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { host?: unknown; at?: unknown };
    return { host: typeof v.host === 'string' ? v.host : '(unknown host)', at: typeof v.at === 'string' ? v.at : '(unknown time)', file };
  } catch {
    // Read between its creation and its write, or half written by a killed process.
    return { host: '(being written)', at: '(unknown time)', file };
  }
}

export function releaseClaim(claim: SlotClaim): void {
  rmSync(claim.file, { force: true });
}

/** Removes claims older than a day (left by a killed run-once); returns how many. */
export function pruneClaims(runsDir: string, now: number): number {
  let removed = 0;
  let skills: string[] = [];
  try {
    skills = readdirSync(claimsDir(runsDir));
  } catch {
    return 0;
  }
  for (const skill of skills) {
    const dir = join(claimsDir(runsDir), skill);
    try {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (now - statSync(p).mtimeMs > PRUNE_AFTER_MS) {
          rmSync(p, { force: true });
          removed++;
        }
      }
    } catch {
      // housekeeping only: a claim we cannot read or remove loses nothing
    }
  }
  return removed;
}
