import type { Protocol } from 'electron';
import type { StaticFiles } from '../core/layers/gateway/static-files.ts';
import { APP_HOST, APP_SCHEME, windowCsp } from './security.ts';

/** Must run before `app.whenReady()`: our scheme is standard and secure (like https). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serves the dashboard (the same files the gateway serves) with the window's CSP. */
export function handleAppProtocol(
  protocol: Pick<Protocol, 'handle'>, files: StaticFiles, api?: (url: URL) => { status: number; body: unknown } | null,
): void {
  const csp = windowCsp(files.get('/index.html')?.body.toString('utf8') ?? '');
  protocol.handle(APP_SCHEME, (req) => {
    const url = new URL(req.url);
    // The skill page's data (skill-page-protocol.ts): JSON from the host's files.
    const answer = url.host === APP_HOST && req.method === 'GET' ? api?.(url) : null;
    if (answer) return new Response(JSON.stringify(answer.body), {
      status: answer.status, headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' },
    });
    const file = url.host === APP_HOST ? files.get(url.pathname === '/' ? '/index.html' : url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      headers: { 'content-type': file.type, 'content-security-policy': csp, 'x-content-type-options': 'nosniff' },
    });
  });
}
