import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRoot } from '../../home/app-paths.ts';
import { StaticFiles } from './static-files.ts';

/** The dashboard's files: the renderer, the two shared modules, and its libraries' ESM builds. */
export function dashboardFiles(): StaticFiles {
  const root = appRoot();
  const dirOf = (spec: string) => fileURLToPath(import.meta.resolve(spec)).replace(/[/\\][^/\\]+$/, '');
  return new StaticFiles([
    { prefix: '/vendor/preact/', dir: dirOf('preact'), files: new Set(['preact.module.js']) },
    { prefix: '/vendor/preact-hooks/', dir: dirOf('preact/hooks'), files: new Set(['hooks.module.js']) },
    { prefix: '/vendor/htm/', dir: dirOf('htm'), files: new Set(['htm.module.js']) },
    { prefix: '/vendor/uplot/', dir: join(dirOf('uplot'), '..', 'dist'), files: new Set(['uPlot.esm.js', 'uPlot.min.css']) },
    { prefix: '/common/', dir: join(root, 'main', 'common'), files: new Set(['health.js', 'time-words.js', 'session-client.js']) },
    { prefix: '/', dir: join(root, 'renderer') },
  ]);
}
