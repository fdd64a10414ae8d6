// `import openclaw --follow`: while the host runs, the skills imported from OpenClaw's store
// follow it. Every 2 s the store's files are looked at (size and time only); when they changed,
// the import is planned again and applied: a job added, changed, disabled or removed there is
// followed here within 5 s. A skill edited by hand is detached: left alone, and said so once.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Logger } from '../home/logger.ts';
import { mapOpenClawJobs } from './openclaw-import.ts';
import { readModelsFile } from '../models/config.ts';
import { applyPlan, planImport } from './openclaw-plan.ts';
import { readOpenClawStore } from './openclaw-store.ts';
import { readAlertChannels } from './openclaw-alerts.ts';
import { readAlertsConfig } from '../alerts/alert-config.ts';

const FILE = 'openclaw-follow.json';

export function writeFollow(home: string, source: string): void {
  writeFileAtomic.sync(join(home, FILE), JSON.stringify({ source }) + '\n', { mode: 0o600, fsync: false });
}

export function removeFollow(home: string): boolean {
  const had = existsSync(join(home, FILE));
  rmSync(join(home, FILE), { force: true });
  return had;
}

export function readFollow(home: string): string | null {
  try {
    const v = JSON.parse(readFileSync(join(home, FILE), 'utf8')) as { source?: unknown };
    return typeof v.source === 'string' ? v.source : null;
  } catch {
    return null;
  }
}

export interface FollowerOptions {
  home: string;
  skillsDir: string;
  bundledDir: string | null;
  logger: Logger;
  /** Skills were written or removed: the host re-reads them. */
  onChange: () => void;
  everyMs?: number;
}

/** A started follower (it does nothing until `import openclaw --follow` names a store). */
export function followOpenClaw(o: FollowerOptions): OpenClawFollower {
  const f = new OpenClawFollower(o);
  f.start();
  return f;
}

export class OpenClawFollower {
  private readonly o: FollowerOptions;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private seen = '';
  private refused = '';
  private readonly detached = new Set<string>();

  constructor(o: FollowerOptions) {
    this.o = o;
    this.log = o.logger.child('openclaw-follow');
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.o.everyMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The skills left alone because they were edited by hand. */
  detachedSkills(): string[] {
    return [...this.detached];
  }

  /** One look; never throws (a store being rewritten is looked at again next time). */
  tick(): void {
    const source = readFollow(this.o.home);
    if (!source) return;
    // SQLite in WAL mode writes to the -wal file first: its size and time count too; ctime so
    // that a chmod or chown (which may make the store one we refuse) is looked at too.
    const stamp = [source, `${source}-wal`].map((f) => {
      try {
        const s = statSync(f);
        return `${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
      } catch {
        return '-';
      }
    }).join('|');
    if (stamp === this.seen) return;
    try {
      const store = readOpenClawStore(this.o.home, source);
      const { mapped } = mapOpenClawJobs(
        store.jobs, Date.now(), readModelsFile(this.o.home).models,
        readAlertsConfig(join(this.o.home, 'config.json')).cooldownMinutes,
      );
      const alerts = readAlertChannels(this.o.home);
      const plan = planImport(mapped, this.o.skillsDir, { force: false, bundledDir: this.o.bundledDir, removeGone: true, alerts });
      const changed = applyPlan(plan, this.o.skillsDir, alerts);
      for (const p of plan) {
        if (p.action === 'detached' && !this.detached.has(p.name)) this.log.warn(
          `skill "${p.name}" was edited by hand: detached from OpenClaw job ${p.jobId}, left as it is`,
        );
        if (p.action === 'detached') this.detached.add(p.name);
        else this.detached.delete(p.name);
      }
      this.seen = stamp;
      if (this.refused) this.log.info(`following ${source} again`);
      this.refused = '';
      if (changed.length > 0) {
        this.log.info(`followed ${source}: ${changed.join(', ')}`);
        this.o.onChange();
      }
    } catch (err) {
      // The skills stay as they are (a store we cannot or will not read removes nothing); said
      // once per reason, not every 2 s.
      const why = (err as Error).message;
      if (why !== this.refused) this.log.warn(`cannot follow ${source}: ${why}; the imported skills stay as they are, trying again`);
      this.refused = why;
    }
  }
}
