import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The app's own folder (where package.json and the bundled skills/ live), from source or dist/. */
export function appRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const up of ['../..', '../../..']) {
    const dir = join(here, up);
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'skills'))) return dir;
  }
  return join(here, '../..');
}

export function bundledSkillsDir(): string {
  return join(appRoot(), 'skills');
}
