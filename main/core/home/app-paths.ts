import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The app's own folder (where package.json and the bundled skills/ live), from a module's folder
 * in source or dist/. In the packaged app that is resources/app.asar (Electron's fs reads into
 * the archive, so `exists` answers there too).
 */
export function appRootFrom(here: string, exists: (p: string) => boolean = existsSync): string {
  for (const up of ['../../..', '../../../..']) {
    const dir = join(here, up);
    if (exists(join(dir, 'package.json')) && exists(join(dir, 'skills'))) return dir;
  }
  return join(here, '../../..');
}

export function appRoot(): string {
  return appRootFrom(fileURLToPath(new URL('.', import.meta.url)));
}

/**
 * The same path in app.asar.unpacked when it points into app.asar. A process cannot chdir into
 * an archive, and a command skill is spawned by path, so bundled skills are unpacked
 * (electron-builder's asarUnpack) and used from there.
 */
export function unpackedPath(p: string): string {
  const inside = `${sep}app.asar${sep}`;
  const i = p.indexOf(inside);
  if (i >= 0) return `${p.slice(0, i)}${sep}app.asar.unpacked${sep}${p.slice(i + inside.length)}`;
  return p.endsWith(`${sep}app.asar`) ? `${p}.unpacked` : p;
}

export function bundledSkillsDirFrom(root: string): string {
  return unpackedPath(join(root, 'skills'));
}

export function bundledSkillsDir(): string {
  return bundledSkillsDirFrom(appRoot());
}

/**
 * The Node that generated units and services should run: this one when it is new enough for
 * ClawKeeper (>= 22.18), else the Node 24 the package installs (node_modules/node), which is what
 * bin/clawkeeper.js would re-run itself with anyway.
 */
export function serviceNode(execPath: string, version: string, root = appRoot()): string {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return execPath;
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node');
  return existsSync(bundled) ? bundled : execPath;
}
