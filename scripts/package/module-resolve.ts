// Enough of Node's module resolution to follow the app's import graph into node_modules without
// loading anything: relative paths with the extensions Node tries for require(), and packages
// through `exports` (conditions node, import, require, default) or `main`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
const CONDITIONS = ['electron', 'node', 'import', 'require', 'module-sync', 'default'];

function asFile(p: string): string | null {
  for (const c of [p, `${p}.js`, `${p}.cjs`, `${p}.mjs`, `${p}.json`, join(p, 'index.js'), join(p, 'index.json')]) if (isFile(c)) return c;
  if (existsSync(join(p, 'package.json'))) return packageEntry(p, '.');
  return null;
}

type Exports = string | null | Exports[] | { [k: string]: Exports };

function pickTarget(e: Exports): string | null {
  if (e === null) return null;
  if (typeof e === 'string') return e;
  if (Array.isArray(e)) {
    for (const x of e) {
      const t = pickTarget(x);
      if (t) return t;
    }
    return null;
  }
  for (const c of CONDITIONS) if (c in e) {
    const t = pickTarget(e[c]!);
    if (t) return t;
  }
  return null;
}

function packageEntry(pkgDir: string, subpath: string): string | null {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { exports?: Exports; main?: string };
  if (pkg.exports !== undefined) {
    const ex = pkg.exports;
    const isMap = typeof ex === 'object' && ex !== null && !Array.isArray(ex) && Object.keys(ex).some((k) => k.startsWith('.'));
    const map: Record<string, Exports> = isMap ? (ex) : { '.': ex };
    let target: string | null = null;
    if (subpath in map) target = pickTarget(map[subpath]!);
    else {
      for (const [k, v] of Object.entries(map)) {
        const star = k.indexOf('*');
        if (star < 0 || !subpath.startsWith(k.slice(0, star)) || !subpath.endsWith(k.slice(star + 1))) continue;
        const t = pickTarget(v);
        if (t) target = t.replace('*', subpath.slice(star, subpath.length - (k.length - star - 1)));
      }
    }
    return target ? asFile(join(pkgDir, target)) : null;
  }
  if (subpath !== '.') return asFile(join(pkgDir, subpath));
  return asFile(join(pkgDir, pkg.main ?? 'index.js'));
}

/** Node's own modules, and `electron`, which Electron provides. */
export function isBuiltinSpecifier(spec: string): boolean {
  return spec.startsWith('node:') || isBuiltin(spec) || spec === 'electron';
}

/** The file a specifier names from `fromFile`, null for a built-in module or one that cannot be found. */
export function resolveSpecifier(spec: string, fromFile: string): string | null {
  if (isBuiltinSpecifier(spec)) return null;
  if (spec.startsWith('.') || spec.startsWith('/')) return asFile(join(spec.startsWith('/') ? '' : dirname(fromFile), spec));
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = spec === name ? '.' : `.${spec.slice(name.length)}`;
  for (let dir = dirname(fromFile); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    if (existsSync(join(pkgDir, 'package.json'))) return packageEntry(pkgDir, subpath);
    if (dirname(dir) === dir) return null;
  }
}
