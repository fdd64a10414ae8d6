import { createHash } from 'node:crypto';

/** The sha256 CSP sources of the inline import maps in a page (the only inline script we allow). */
export function importMapHashes(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)) {
    out.push(`'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  }
  return out;
}

/**
 * The dashboard's Content-Security-Policy, the same for the gateway and the Electron window:
 * nothing but our own files, no inline script except the hashed import map, no eval, no frames.
 * `connect` lists where the page may open connections (the session layer, in a browser).
 */
export function dashboardCsp(indexHtml: string, connect: string[]): string {
  return [
    "default-src 'none'",
    ["script-src 'self'", ...importMapHashes(indexHtml)].join(' '),
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...connect].join(' '),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
