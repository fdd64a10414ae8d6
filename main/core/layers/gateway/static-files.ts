import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * Serves files from a few fixed roots (the renderer, and the vendored ESM builds of its
 * libraries). A path that normalizes outside its root is not found, whatever its encoding.
 */
export class StaticFiles {
  private readonly cache = new Map<string, StaticFile>();
  private readonly mounts: { prefix: string; dir: string; files?: Set<string> }[];
  constructor(mounts: { prefix: string; dir: string; files?: Set<string> }[]) {
    this.mounts = mounts;
  }

  get(urlPath: string): StaticFile | null {
    const full = this.locate(urlPath);
    if (!full) return null;
    const hit = this.cache.get(full);
    if (hit) return hit;
    try {
      if (!statSync(full).isFile()) return null;
      const file = { body: readFileSync(full), type: TYPES[extname(full)] ?? 'application/octet-stream' };
      this.cache.set(full, file);
      return file;
    } catch {
      return null;
    }
  }

  /** The file a URL path maps to (it may not exist), or null when no mount allows it. The package check uses it too. */
  locate(urlPath: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('..')) return null;
    for (const m of this.mounts) {
      if (!decoded.startsWith(m.prefix)) continue;
      const rel = decoded.slice(m.prefix.length) || 'index.html';
      if (m.files && !m.files.has(rel)) return null;
      const full = normalize(join(m.dir, rel));
      if (!full.startsWith(m.dir.endsWith(sep) ? m.dir : m.dir + sep)) return null;
      return full;
    }
    return null;
  }
}
