import { PUBLIC_STATUS } from '../../../common/health.js';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClawError } from '../../../common/errors.ts';
import type { Snapshot } from '../../../common/layer-protocol.ts';
import { Ledger } from '../../runs/ledger.ts';
import { createMemoryLogger } from '../../home/logger.ts';
import type { HomePaths } from '../../home/paths.ts';
import { SKILL_NAME } from '../../skills/skill-schema-json.ts';
import { readCookie, SESSION_COOKIE, type TokenSource } from '../../auth/token.ts';
import { SessionRevocations } from '../../auth/session-revocations.ts';
import { dashboardCsp } from './csp.ts';
import { AuthLimiter, allowedOrigins, checkHost, checkOrigin, readJsonBody, sendBody, sendError, sendJson } from '../guard.ts';
import { readLogChunk, skillPage } from './skill-page-api.ts';
import type { StaticFiles } from './static-files.ts';

const C = 'gateway';
const SESSION_TTL_MS = 12 * 3600_000;
const CODE_TTL_MS = 60_000;
/** Outstanding (unused, unexpired) login codes: each lives 60 s, so this is plenty for one user. */
const MAX_LOGIN_CODES = 20;

export type HostCommand = (op: 'run' | 'pause' | 'resume', skill: string, opts?: { force?: boolean }) => Promise<unknown>;

export interface GatewayDeps {
  port: number;
  sessionPort: number;
  paths: HomePaths;
  tokens: TokenSource;
  snapshot: () => Snapshot | null;
  command: HostCommand;
  files: StaticFiles;
  /** Host names accepted (default: every loopback name); gateway.ts narrows it without IPv6. */
  hostNames?: () => Set<string>;
}

/** The public, unauthenticated view: states only, no reasons, paths or names. */
export function publicHealth(s: Snapshot | null): { status: string; layers: Record<string, string>; scenario: string | null } {
  if (!s) return { status: 'degraded', layers: { session: 'unknown', gateway: 'ok', runtime: 'unknown' }, scenario: null };
  return {
    status: PUBLIC_STATUS[s.mode],
    layers: { session: s.layers.session.status, gateway: s.layers.gateway.status, runtime: s.layers.runtime.status },
    scenario: s.scenario?.id ?? null,
  };
}

export interface GatewayHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** A login code made elsewhere (the host's start-up banner). */
  addLoginCode(code: string, expiresAt: number): void;
}

export function createGatewayHandler(deps: GatewayDeps): GatewayHandler {
  // Read at each request: a gateway told port 0 learns its port only once it listens.
  const origins = () => allowedOrigins(deps.port);
  const limiter = new AuthLimiter();
  const revocations = new SessionRevocations(deps.paths.revokedSessions);
  const codes = new Map<string, number>();
  const ledger = new Ledger(deps.paths.runs, createMemoryLogger());
  let csp = '';
  const pageCsp = () => (csp ||= dashboardCsp(deps.files.get('/index.html')?.body.toString('utf8') ?? '', [`ws://127.0.0.1:${deps.sessionPort}`, `ws://localhost:${deps.sessionPort}`]));
  const pageHeaders = () => ({ 'content-security-policy': pageCsp(), 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'cross-origin-opener-policy': 'same-origin' });

  // The skills list is serialized once per snapshot, not once per request.
  let skillsCache: { snap: Snapshot | null; body: Buffer } = { snap: null, body: Buffer.from('{"skills":[]}') };
  function skillsJson(): Buffer {
    const snap = deps.snapshot();
    if (snap !== skillsCache.snap) skillsCache = { snap, body: Buffer.from(JSON.stringify({ skills: snap?.skills ?? [] })) };
    return skillsCache.body;
  }

  function authenticated(req: IncomingMessage): boolean {
    // A valid credential always passes; only wrong ones are counted and, past the limit, get 429.
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      if (deps.tokens.matches(bearer)) return true;
      throw limiter.refuse('bearer', C, 'wrong token');
    }
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie) {
      const session = deps.tokens.sessionOf(cookie);
      if (session && !revocations.isRevoked(session.id)) return true;
      throw limiter.refuse('cookie', C, 'the browser session has expired or the token was rotated: run `clawkeeper open` again');
    }
    throw new ClawError('CK_UNAUTHORIZED', C, 'send Authorization: Bearer <token from $CLAWKEEPER_HOME/token>, or log in with `clawkeeper open`');
  }

  function skillName(raw: string): string {
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      throw new ClawError('CK_INVALID_NAME', C, 'the skill name is not valid URL encoding');
    }
    if (!SKILL_NAME.test(name)) throw new ClawError('CK_INVALID_NAME', C, `"${name.slice(0, 80)}" is not a skill name (lower-case letters, digits, dashes)`);
    return name;
  }

  function findSkill(name: string) {
    const s = deps.snapshot()?.skills.find((x) => x.name === name);
    if (!s) throw new ClawError('CK_NOT_FOUND', C, `no skill named "${name}"`);
    return s;
  }

  function allow(req: IncomingMessage, ...methods: string[]): void {
    if (!methods.includes(req.method ?? '')) throw new ClawError('CK_METHOD_NOT_ALLOWED', C, `${req.method} is not allowed here; use ${methods.join(' or ')}`);
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (path === '/health') {
      allow(req, 'GET', 'HEAD');
      return sendJson(res, 200, publicHealth(deps.snapshot()));
    }
    if (path.startsWith('/api/')) {
      if (url.searchParams.has('token') || url.searchParams.has('access_token')) {
        throw new ClawError('CK_UNAUTHORIZED', C, 'a token in the URL is never accepted (URLs end up in logs and history); send Authorization: Bearer');
      }
      if (path === '/api/login') {
        allow(req, 'POST');
        const body = (await readJsonBody(req, C)) as { code?: unknown } | undefined;
        const code = typeof body?.code === 'string' ? body.code : '';
        const exp = codes.get(code);
        codes.delete(code);
        if (!exp || exp < Date.now()) throw limiter.refuse('code', C, 'that login code is wrong, used or expired: run `clawkeeper open` for a new one');
        const cookie = `${SESSION_COOKIE}=${deps.tokens.signSession(SESSION_TTL_MS)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`;
        return sendJson(res, 200, { ok: true }, { 'set-cookie': cookie });
      }
      authenticated(req);
      if (path === '/api/logout') {
        allow(req, 'POST');
        // The cookie's id is revoked in a file both layers read: the cookie is void everywhere at
        // once (live WebSockets included), and stays void across restarts.
        const session = deps.tokens.sessionOf(readCookie(req.headers.cookie, SESSION_COOKIE));
        if (session) {
          try {
            revocations.revoke(session.id, session.expiresAt);
          } catch (err) {
            throw new ClawError('CK_UNAVAILABLE', C, `cannot record the logout in ${deps.paths.revokedSessions}: ${(err as Error).message}`);
          }
        }
        return sendJson(res, 200, { ok: true }, { 'set-cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` });
      }
      if (path === '/api/login-codes') {
        allow(req, 'POST');
        const code = randomBytes(24).toString('base64url');
        for (const [c, exp] of codes) if (exp < Date.now()) codes.delete(c);
        if (codes.size >= MAX_LOGIN_CODES) throw new ClawError('CK_LIMIT_REACHED', C, `${MAX_LOGIN_CODES} login codes are already waiting to be used; retry within a minute`);
        codes.set(code, Date.now() + CODE_TTL_MS);
        return sendJson(res, 201, { code, expiresInSeconds: CODE_TTL_MS / 1000 });
      }
      if (path === '/api/health') {
        allow(req, 'GET');
        const s = deps.snapshot();
        if (!s) throw new ClawError('CK_UNAVAILABLE', C, 'no state from the host yet; retry in a moment');
        return sendJson(res, 200, {
          mode: s.mode,
          status: publicHealth(s).status,
          scenario: s.scenario,
          layers: s.layers,
          dependencies: s.dependencies,
          skills: s.skills.map((k) => ({ name: k.name, state: k.state, reason: k.reason, deferred: k.deferred, breaker: k.breaker })),
          host: s.host,
          generatedAt: s.generatedAt,
          transitions: s.transitions,
        });
      }
      if (path === '/api/metrics') {
        allow(req, 'GET');
        const s = deps.snapshot();
        if (!s) throw new ClawError('CK_UNAVAILABLE', C, 'no state from the host yet; retry in a moment');
        return sendJson(res, 200, s.metrics);
      }
      if (path === '/api/snapshot') {
        allow(req, 'GET');
        const s = deps.snapshot();
        if (!s) throw new ClawError('CK_UNAVAILABLE', C, 'no state from the host yet; retry in a moment');
        return sendJson(res, 200, s);
      }
      if (path === '/api/skills') {
        allow(req, 'GET');
        return sendBody(res, 200, skillsJson());
      }
      // The dashboard's skill page (skill-page-api.ts).
      const page = /^\/api\/skills\/([^/]+)\/(?:page|log\/([^/]+))$/.exec(path);
      if (page) {
        allow(req, 'GET');
        const s = findSkill(skillName(page[1]!));
        if (page[2] === undefined) return sendJson(res, 200, skillPage(s, ledger, deps.paths, Math.min(20_000, Math.max(1, Number(url.searchParams.get('limit') ?? 500) || 500))));
        return sendJson(res, 200, readLogChunk(deps.paths, s.name, page[2], Number(url.searchParams.get('from') ?? 0) || 0));
      }
      const m = /^\/api\/skills\/([^/]+)(?:\/(runs|run|pause|resume))?$/.exec(path);
      if (m) {
        const name = skillName(m[1]!);
        const action = m[2];
        if (!action) {
          allow(req, 'GET');
          return sendJson(res, 200, findSkill(name));
        }
        if (action === 'runs') {
          allow(req, 'GET');
          findSkill(name);
          const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
          return sendJson(res, 200, { runs: ledger.readEntries(name).reverse().slice(0, limit) });
        }
        allow(req, 'POST');
        const body = (await readJsonBody(req, C)) as { force?: unknown } | undefined; // bounded and checked
        findSkill(name);
        // {"force": true} runs a skill whose dependency is down (otherwise 409 dependency-down).
        const result = await deps.command(action as 'run' | 'pause' | 'resume', name, { force: body?.force === true });
        return sendJson(res, action === 'run' ? 202 : 200, result);
      }
      throw new ClawError('CK_NOT_FOUND', C, `no API at ${path}`);
    }
    allow(req, 'GET', 'HEAD');
    const file = deps.files.get(path === '/' ? '/index.html' : path === '/login' ? '/login.html' : path);
    if (!file) throw new ClawError('CK_NOT_FOUND', C, `nothing at ${path.slice(0, 100)}`);
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length, 'cache-control': 'no-cache', ...pageHeaders() });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const fail = (err: unknown) => {
      if (err instanceof ClawError) {
        const extra: Record<string, string> = {};
        if (err.code === 'CK_RATE_LIMITED') extra['retry-after'] = String(limiter.retryAfterSeconds());
        if (err.code === 'CK_UNAUTHORIZED') extra['www-authenticate'] = 'Bearer';
        return sendError(res, err, extra);
      }
      sendError(res, new ClawError('CK_INTERNAL', C, 'internal error'));
    };
    const early = checkHost(req.headers.host, deps.port, C, deps.hostNames?.()) ?? checkOrigin(req.headers.origin, origins(), C);
    if (early) {
      req.resume();
      return fail(early);
    }
    // Dot segments, plain or percent-encoded, are refused before URL parsing would quietly
    // resolve them (`/api/skills/%2e%2e/run` would become `/api/run`).
    const rawPath = (req.url ?? '/').split('?')[0]!;
    if (/(^|\/|%2f)(\.|%2e){2}(\/|%2f|$)/i.test(rawPath) || /%2f|%5c|\\/i.test(rawPath)) {
      req.resume();
      return fail(new ClawError('CK_INVALID_NAME', C, 'path segments like ".." (plain or encoded) are not allowed'));
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${deps.port}`);
    } catch {
      return fail(new ClawError('CK_BAD_REQUEST', C, 'bad request URL'));
    }
    route(req, res, url).catch(fail);
  };
  return Object.assign(handler, { addLoginCode: (code: string, expiresAt: number) => void codes.set(code, expiresAt) });
}
