// Every file the packaged app loads at run time, derived from the code rather than listed by
// hand: the import graph of the Electron entry (package.json "main") plus every process target
// the code names (`new URL('./x.js', import.meta.url)` as fork/utilityProcess targets, the
// preload `join(here, 'x.cjs')`), the folders read through `join(appRoot(), ...)` (icons), and
// the dashboard as a browser loads it (index.html's links and import map, then its modules'
// imports), mapped to files by the dashboard's own StaticFiles table.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { isBuiltinSpecifier, resolveSpecifier } from './module-resolve.ts';

const IMPORTS = [
  /(?:^|[^.\w])(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
  /(?:^|[^.\w])import\s*['"]([^'"]+)['"]/g,
  /(?:^|[^.\w])import\(\s*['"]([^'"]+)['"]\s*\)/g,
  /(?:^|[^.\w])require\(\s*['"]([^'"]+)['"]\s*\)/g,
  /import\.meta\.resolve\(\s*['"]([^'"]+)['"]\s*\)/g,
];
// A process target or a file next to the module: new URL(`./layers/gateway${EXT}`, import.meta.url).
const URL_TARGET = /new URL\(\s*[`'"](\.[^`'"]+)[`'"]\s*,\s*import\.meta\.url\s*\)/g;
const HERE_FILE = /join\(\s*here\s*,\s*['"]([^'"]+\.c?js)['"]\s*\)/g;
const APP_DIR = /join\(\s*appRoot\(\)\s*,((?:\s*['"][\w.-]+['"]\s*,?)+)/g;

export interface RuntimeFiles {
  /** Absolute paths. */
  files: Set<string>;
  /** Specifiers that did not resolve (reported, not fatal: a regex sees comments too). */
  unresolved: string[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const depsCache = new Map<string, Set<string> | null>();
/** The dependencies declared by the package a node_modules file belongs to (null outside node_modules). */
function declaredDeps(file: string): Set<string> | null {
  const i = file.lastIndexOf(`${sep}node_modules${sep}`);
  if (i < 0) return null;
  const rest = file.slice(i + 14).split(sep);
  const root = file.slice(0, i + 14) + (rest[0]!.startsWith('@') ? join(rest[0]!, rest[1]!) : rest[0]!);
  if (!depsCache.has(root)) {
    try {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      const name = (pkg as unknown as { name?: string }).name;
      depsCache.set(
        root,
        new Set([
          ...(name ? [name] : []), ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}),
          ...Object.keys(pkg.optionalDependencies ?? {}),
        ]),
      );
    } catch {
      depsCache.set(root, null);
    }
  }
  return depsCache.get(root)!;
}

/** Follows JS modules from `entries`; collects every file reached. */
export function traceModules(entries: string[], appRoot: string, out: RuntimeFiles = { files: new Set(), unresolved: [] }): RuntimeFiles {
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (out.files.has(file)) continue;
    out.files.add(file);
    if (!['.js', '.cjs', '.mjs'].includes(extname(file))) continue;
    const src = readFileSync(file, 'utf8');
    const add = (p: string | null, what: string) => (p ? queue.push(p) : out.unresolved.push(`${relative(appRoot, file)}: ${what}`));
    const declared = declaredDeps(file);
    for (const re of IMPORTS) {
      for (const m of src.matchAll(re)) {
        const spec = m[1]!;
        if (isBuiltinSpecifier(spec)) continue;
        // Inside a package, a bare specifier it does not declare is text, not an import (openai's
        // error message quotes "import { fetch } from 'undici'"): the regex sees strings too.
        if (declared && !spec.startsWith('.') && !spec.startsWith('/') && !declared.has(packageName(spec))) continue;
        add(resolveSpecifier(spec, file), spec);
      }
    }
    for (const m of src.matchAll(URL_TARGET)) {
      if (m[1] === '.' || m[1]!.endsWith('/')) continue;
      add(resolveSpecifier(m[1]!.replace('${EXT}', '.js'), file), m[1]!);
    }
    for (const m of src.matchAll(HERE_FILE)) add(resolveSpecifier(`./${m[1]!}`, file), m[1]!);
    for (const m of src.matchAll(APP_DIR)) {
      const parts = [...m[1]!.matchAll(/['"]([\w.-]+)['"]/g)].map((x) => x[1]!);
      const p = join(appRoot, ...parts);
      try {
        for (const f of statSync(p).isDirectory() ? walk(p) : [p]) out.files.add(f);
      } catch {
        out.unresolved.push(`${relative(appRoot, file)}: appRoot()/${parts.join('/')}`);
      }
    }
  }
  return out;
}

/** What maps a dashboard URL path to a file (main/core/layers/gateway/static-files.ts). */
export interface UrlLocator {
  locate(urlPath: string): string | null;
}

/** Follows the dashboard as a browser would: pages, their links and import map, then module imports. */
export function traceDashboard(pages: string[], files: UrlLocator, appRoot: string, out: RuntimeFiles): RuntimeFiles {
  const queue = [...pages];
  const seen = new Set<string>();
  let importMap: Record<string, string> = {};
  const toUrl = (ref: string, base: string) => new URL(ref, `http://app${base}`).pathname;
  while (queue.length) {
    const url = queue.shift()!;
    if (seen.has(url) || url.startsWith('/api/')) continue;
    seen.add(url);
    const file = files.locate(url);
    if (!file) {
      out.unresolved.push(`dashboard: ${url}`);
      continue;
    }
    out.files.add(file);
    const src = readFileSync(file, 'utf8');
    if (file.endsWith('.html')) {
      for (const m of src.matchAll(/\s(?:src|href)="([^"#:]+)"/g)) queue.push(toUrl(m[1]!, url));
      const map = /<script type="importmap">([^<]+)<\/script>/.exec(src);
      if (map) importMap = (JSON.parse(map[1]!) as { imports: Record<string, string> }).imports;
    } else if (file.endsWith('.js')) {
      // Stylesheets a lazily loaded module adds itself (renderer/later.js addStylesheet), relative to the page.
      for (const m of src.matchAll(/addStylesheet\(\s*'([^']+)'\s*\)/g)) queue.push(toUrl(m[1]!, '/'));
      for (const re of IMPORTS.slice(0, 3)) {
        for (const m of src.matchAll(re)) {
          const spec = m[1]!;
          const prefix = Object.keys(importMap).find((k) => k.endsWith('/') && spec.startsWith(k));
          const mapped = importMap[spec] ?? (prefix ? importMap[prefix]! + spec.slice(prefix.length) : undefined);
          queue.push(spec.startsWith('.') || spec.startsWith('/') ? toUrl(spec, url) : toUrl(mapped ?? spec, '/'));
        }
      }
    }
  }
  return out;
}

/** Paths relative to the app root, with '/' separators (as an asar listing names them). */
export function relativeList(files: Iterable<string>, appRoot: string): string[] {
  return [...files].map((f) => relative(appRoot, f).split(sep).join('/')).sort();
}
