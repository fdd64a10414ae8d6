import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClawError } from '../../../common/errors.ts';
import type { Snapshot } from '../../../common/layer-protocol.ts';
import type { SkillOp } from '../../../common/host-protocol.ts';
import { Ledger } from '../../runs/ledger.ts';
import { createMemoryLogger } from '../../home/logger.ts';
import type { HomePaths } from '../../home/paths.ts';
import { SKILL_NAME } from '../../skills/skill-schema-json.ts';
import type { TokenSource } from '../../auth/token.ts';
import { checkPresented, presentedIn, type AuthedAs } from '../../auth/credentials.ts';
import { SessionRevocations } from '../../auth/session-revocations.ts';
import { dashboardCsp } from './csp.ts';
import { publicHealth } from './public-health.ts';
import { AuthLimiter, allowedOrigins, checkHost, checkOrigin, readJsonBody, sendBody, sendError, sendJson } from '../guard.ts';
import { readLogChunk, skillPage } from './skill-page-api.ts';
import { RunsIndex } from './runs-index.ts';
import { runOutput, runsPage } from './runs-api.ts';
import type { StaticFiles } from './static-files.ts';
import { cachedJson, type CachedJson } from './cached-json.ts';

const C = 'gateway';
const SESSION_TTL_MS = 12 * 3600_000;
const CODE_TTL_MS = 60_000;
/** Outstanding (unused, unexpired) login codes: each lives 60 s, so this is plenty for one user. */
const MAX_LOGIN_CODES = 20;

export type HostCommand = (
  op: SkillOp | 'backfill', skill: string, opts?: { force?: boolean; note?: string; args?: Record<string, unknown> }) => Promise<unknown>;

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
  /** A request authenticated: its connection is proven (connection-guard.ts), never evicted by a flood. */
  onAuthenticated?: (req: IncomingMessage) => void;
}

/** Re-exported: the views' tests read it from here. */
export { publicHealth };

export interface GatewayHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** A login code made elsewhere (the host's start-up banner). */
  addLoginCode(code: string, expiresAt: number): void;
}

/** One gateway's state, made once by createGatewayHandler and shared by every endpoint. */
interface Gateway {
  deps: GatewayDeps;
  limiter: AuthLimiter;
  revocations: SessionRevocations;
  /** Login codes not used yet, each with its expiry (ms). */
  codes: Map<string, number>;
  ledger: Ledger;
  /** Every skill's runs, kept between requests (runs-index.ts). */
  runs: RunsIndex;
  skillsJson: () => CachedJson;
  snapshotJson: () => CachedJson;
  pageHeaders: () => Record<string, string>;
}

/** One request, as an endpoint sees it. */
interface Call {
  g: Gateway;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

export function createGatewayHandler(deps: GatewayDeps): GatewayHandler {
  const g: Gateway = {
    deps,
    limiter: new AuthLimiter(),
    revocations: new SessionRevocations(deps.paths.revokedSessions),
    codes: new Map<string, number>(),
    ledger: new Ledger(deps.paths.runs, createMemoryLogger()),
    runs: new RunsIndex(deps.paths.runs),
    skillsJson: cachedJson(deps, (s) => ({ skills: s?.skills ?? [] })),
    // The dashboard polls it twice a second; 200 skills make it ~0.5 MB: serialized once per snapshot.
    snapshotJson: cachedJson(deps, (s) => s),
    pageHeaders: dashboardHeaders(deps),
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = admit(g, req, res);
    if (url) route({ g, req, res, url }).catch((err: unknown) => fail(g, res, err));
  };
  return Object.assign(handler, { addLoginCode: (code: string, expiresAt: number) => void g.codes.set(code, expiresAt) });
}

// The request guard: Host, Origin and path checks before routing, and credentials for /api/*.

/** The URL to route, or null when the request was refused (and answered). */
function admit(g: Gateway, req: IncomingMessage, res: ServerResponse): URL | null {
  // The port is read at each request: a gateway told port 0 learns its port only once it listens.
  const early = checkHost(req.headers.host, g.deps.port, C, g.deps.hostNames?.())
    ?? checkOrigin(req.headers.origin, allowedOrigins(g.deps.port), C);
  if (early) {
    req.resume();
    fail(g, res, early);
    return null;
  }
  // Dot segments, plain or percent-encoded, are refused before URL parsing would quietly
  // resolve them (`/api/skills/%2e%2e/run` would become `/api/run`).
  const rawPath = (req.url ?? '/').split('?')[0]!;
  if (/(^|\/|%2f)(\.|%2e){2}(\/|%2f|$)/i.test(rawPath) || /%2f|%5c|\\/i.test(rawPath)) {
    req.resume();
    fail(g, res, new ClawError('CK_INVALID_NAME', C, 'path segments like ".." (plain or encoded) are not allowed'));
    return null;
  }
  try {
    return new URL(req.url ?? '/', `http://127.0.0.1:${g.deps.port}`);
  } catch {
    fail(g, res, new ClawError('CK_BAD_REQUEST', C, 'bad request URL'));
    return null;
  }
}

/** What the caller proved (the API token or a browser session), or the 401/429 to answer. */
function authenticated(g: Gateway, req: IncomingMessage): AuthedAs {
  // Any valid credential passes, whatever else is sent beside it; only when all are wrong is each
  // kind counted and, past the limit, answered 429. Cookies are never read (credentials.ts).
  const r = checkPresented(presentedIn(req.headers), g.deps.tokens, g.revocations);
  if ('as' in r) return r.as;
  const expired = 'the browser session has expired, was logged out, or the token was rotated: run `clawkeeper open` again';
  const refusals = r.failed.map((kind) => g.limiter.refuse(kind, C, kind === 'bearer' ? 'wrong token' : expired));
  const how = 'send Authorization: Bearer <token from $CLAWKEEPER_HOME/token>, or log in with `clawkeeper open`';
  throw refusals.find((e) => e.code === 'CK_RATE_LIMITED') ?? refusals[0] ?? new ClawError('CK_UNAUTHORIZED', C, how);
}

function allow(req: IncomingMessage, ...methods: string[]): void {
  const use = `${req.method} is not allowed here; use ${methods.join(' or ')}`;
  if (!methods.includes(req.method ?? '')) throw new ClawError('CK_METHOD_NOT_ALLOWED', C, use);
}

// The route table: a path picks its endpoint, whose methods are checked before it runs.

interface Endpoint {
  /** Any other method gets 405. */
  methods: string[];
  handle: (c: Call, as: AuthedAs) => void | Promise<void>;
}

/** The API at fixed paths, behind credentials (/api/login is the one without: it hands them out). */
const API = new Map<string, Endpoint>([
  ['/api/logout', { methods: ['POST'], handle: logout }],
  ['/api/login-codes', { methods: ['POST'], handle: newLoginCode }],
  ['/api/health', { methods: ['GET'], handle: healthDetail }],
  ['/api/metrics', { methods: ['GET'], handle: ({ g, res }) => sendJson(res, 200, hostSnapshot(g).metrics) }],
  ['/api/snapshot', { methods: ['GET'], handle: snapshotBody }],
  ['/api/skills', { methods: ['GET'], handle: ({ g, res }) => sendBody(res, 200, g.skillsJson().body) }],
  ['/api/runs', { methods: ['GET'], handle: ({ g, res, url }) => sendJson(res, 200, runsPage(g.runs, url.searchParams)) }],
]);

interface SkillEndpoint {
  /** The first group is the skill's name (checked by skillName); a second one goes to `handle` as `arg`. */
  path: RegExp;
  methods: string[];
  /** The name is checked before the method: a bad name is 400 whatever the method, as these paths always answered. */
  nameFirst?: true;
  handle: (c: Call, name: string, arg: string) => void | Promise<void>;
}

/** The API under /api/skills/:name, behind credentials; no two paths overlap. */
const SKILL_API: SkillEndpoint[] = [
  { path: /^\/api\/skills\/([^/]+)$/, methods: ['GET'], nameFirst: true,
    handle: ({ g, res }, name) => sendJson(res, 200, findSkill(g, name)) },
  { path: /^\/api\/skills\/([^/]+)\/runs$/, methods: ['GET'], nameFirst: true, handle: skillRuns },
  { path: /^\/api\/skills\/([^/]+)\/(run|pause|resume|reset-breaker)$/, methods: ['POST'], nameFirst: true, handle: skillCommand },
  { path: /^\/api\/skills\/([^/]+)\/backfill$/, methods: ['POST'], nameFirst: true, handle: skillBackfill },
  // The dashboard's skill page (skill-page-api.ts).
  { path: /^\/api\/skills\/([^/]+)\/page$/, methods: ['GET'], handle: skillPageOf },
  { path: /^\/api\/skills\/([^/]+)\/log\/([^/]+)$/, methods: ['GET'], handle: runLog },
  { path: /^\/api\/skills\/([^/]+)\/output\/([^/]+)$/, methods: ['GET'],
    handle: async ({ g, res }, name, runId) => sendJson(res, 200, await runOutput(g.runs, g.deps.paths, findSkill(g, name).name, runId)) },
];

/** /health and the dashboard's files are open to all; every /api path but /api/login needs credentials. */
async function route(c: Call): Promise<void> {
  const path = c.url.pathname;
  if (path === '/health') {
    allow(c.req, 'GET', 'HEAD');
    return sendJson(c.res, 200, publicHealth(c.g.deps.snapshot()));
  }
  if (!path.startsWith('/api/')) return sendFile(c, path);
  if (c.url.searchParams.has('token') || c.url.searchParams.has('access_token')) {
    throw new ClawError('CK_UNAUTHORIZED', C,
      'a token in the URL is never accepted (URLs end up in logs and history); send Authorization: Bearer');
  }
  if (path === '/api/login') {
    allow(c.req, 'POST');
    return await login(c);
  }
  const as = authenticated(c.g, c.req);
  c.g.deps.onAuthenticated?.(c.req);
  const endpoint = API.get(path);
  if (endpoint) {
    allow(c.req, ...endpoint.methods);
    return await endpoint.handle(c, as);
  }
  for (const e of SKILL_API) {
    const m = e.path.exec(path);
    if (!m) continue;
    const checked = e.nameFirst ? skillName(m[1]!) : null;
    allow(c.req, ...e.methods);
    return await e.handle(c, checked ?? skillName(m[1]!), m[2] ?? '');
  }
  throw new ClawError('CK_NOT_FOUND', C, `no API at ${path}`);
}

// Login and logout: a login code buys a browser its session, which the page keeps in
// sessionStorage (our origin, port included) and sends in a header: no cookie, since the browser
// would send a cookie to every program listening on 127.0.0.1.

/** Clears the cookie earlier versions set, so a browser stops sending it to other loopback ports. */
const LEGACY_COOKIE_CLEARED = { 'set-cookie': 'ck_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0' };

/** POST /api/login {"code"}: a good code (used once) buys a session, in the body. */
async function login({ g, req, res }: Call): Promise<void> {
  const body = (await readJsonBody(req, C)) as { code?: unknown } | undefined;
  const code = typeof body?.code === 'string' ? body.code : '';
  const exp = g.codes.get(code);
  g.codes.delete(code);
  const expired = 'that login code is wrong, used or expired: run `clawkeeper open` for a new one';
  if (!exp || exp < Date.now()) throw g.limiter.refuse('code', C, expired);
  const session = g.deps.tokens.signSession(SESSION_TTL_MS);
  sendJson(res, 200, { ok: true, session, expiresInSeconds: SESSION_TTL_MS / 1000 }, LEGACY_COOKIE_CLEARED);
}

/** POST /api/logout */
function logout({ g, res }: Call, as: AuthedAs): void {
  // The session's id is revoked in a file both layers read: it is void everywhere at once (live
  // WebSockets included), and stays void across restarts.
  if (as.session) {
    try {
      g.revocations.revoke(as.session.id, as.session.expiresAt);
    } catch (err) {
      throw new ClawError('CK_UNAVAILABLE', C, `cannot record the logout in ${g.deps.paths.revokedSessions}: ${(err as Error).message}`);
    }
  }
  sendJson(res, 200, { ok: true }, LEGACY_COOKIE_CLEARED);
}

/**
 * POST /api/login-codes: a new code for /api/login, good for 60 s. The API token only: a browser
 * session that could mint codes would renew itself forever and outlive its logout.
 */
function newLoginCode({ g, res }: Call, as: AuthedAs): void {
  const byToken = 'login codes are made with the API token (Authorization: Bearer), never with a browser session; run `clawkeeper open`';
  if (as.session) throw new ClawError('CK_FORBIDDEN', C, byToken);
  const code = randomBytes(24).toString('base64url');
  for (const [c, exp] of g.codes) if (exp < Date.now()) g.codes.delete(c);
  const waiting = `${MAX_LOGIN_CODES} login codes are already waiting to be used; retry within a minute`;
  if (g.codes.size >= MAX_LOGIN_CODES) throw new ClawError('CK_LIMIT_REACHED', C, waiting);
  g.codes.set(code, Date.now() + CODE_TTL_MS);
  sendJson(res, 201, { code, expiresInSeconds: CODE_TTL_MS / 1000 });
}

// The host's state: /api/health, /api/metrics and /api/snapshot.

function hostSnapshot(g: Gateway): Snapshot {
  const s = g.deps.snapshot();
  if (!s) throw new ClawError('CK_UNAVAILABLE', C, 'no state from the host yet; retry in a moment');
  return s;
}

/**
 * GET /api/snapshot: 503 until the host sent one. The dashboard polls twice a second and the host
 * sends one a second: a poll naming the snapshot it has (If-None-Match) gets 304, no 415 KB again.
 */
function snapshotBody({ g, req, res }: Call): void {
  hostSnapshot(g);
  const { body, tag } = g.snapshotJson();
  if (req.headers['if-none-match'] === tag) {
    res.writeHead(304, { etag: tag, 'cache-control': 'no-store' });
    return void res.end();
  }
  sendBody(res, 200, body, { etag: tag });
}

/** GET /api/health: the full detail that /health leaves out. */
function healthDetail({ g, res }: Call): void {
  const s = hostSnapshot(g);
  sendJson(res, 200, {
    mode: s.mode,
    status: publicHealth(s).status,
    scenario: s.scenario,
    layers: s.layers,
    dependencies: s.dependencies,
    skills: s.skills.map((k) => ({ name: k.name, state: k.state, reason: k.reason, deferred: k.deferred, breaker: k.breaker })),
    host: s.host,
    generatedAt: s.generatedAt,
    transitions: s.transitions,
    // Each alert channel's and ping's last delivery and error (never a secret: names only).
    ...(s.alerts ? { alerts: s.alerts } : {}),
  });
}

// One skill: /api/skills/:name and below.

function skillName(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw new ClawError('CK_INVALID_NAME', C, 'the skill name is not valid URL encoding');
  }
  const invalid = `"${name.slice(0, 80)}" is not a skill name (lower-case letters, digits, dashes)`;
  if (!SKILL_NAME.test(name)) throw new ClawError('CK_INVALID_NAME', C, invalid);
  return name;
}

function findSkill(g: Gateway, name: string) {
  const s = g.deps.snapshot()?.skills.find((x) => x.name === name);
  if (!s) throw new ClawError('CK_NOT_FOUND', C, `no skill named "${name}"`);
  return s;
}

/** GET /api/skills/:name/runs?limit=N (50 by default, 500 at most), newest first. */
function skillRuns({ g, res, url }: Call, name: string): void {
  findSkill(g, name);
  const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
  sendJson(res, 200, { runs: g.ledger.readEntries(name).reverse().slice(0, limit) });
}

/** POST /api/skills/:name/run|pause|resume|reset-breaker: the host does it; 202 for run, 200 otherwise. */
async function skillCommand({ g, req, res }: Call, name: string, action: string): Promise<void> {
  const body = (await readJsonBody(req, C)) as { force?: unknown; note?: unknown } | undefined; // bounded and checked
  findSkill(g, name);
  // {"force": true} runs a skill whose dependency is down (otherwise 409 dependency-down);
  // {"note": "…"} goes with a pause (the host checks it, as it does for the CLI).
  const note = action === 'pause' && body?.note !== undefined ? { note: body.note as string } : {};
  const result = await g.deps.command(action as SkillOp, name, { force: body?.force === true, ...note });
  sendJson(res, action === 'run' ? 202 : 200, result);
}

/** POST /api/skills/:name/backfill {from, to, dryRun?, max?}: the plan (200), or it runs (202). */
async function skillBackfill({ g, req, res }: Call, name: string): Promise<void> {
  const body = ((await readJsonBody(req, C)) ?? {}) as { from?: unknown; to?: unknown; dryRun?: unknown; max?: unknown };
  findSkill(g, name);
  const args = { from: body.from, to: body.to, dryRun: body.dryRun === true, ...(body.max !== undefined ? { max: body.max } : {}) };
  sendJson(res, body.dryRun === true ? 200 : 202, await g.deps.command('backfill', name, { args }));
}

/** GET /api/skills/:name/page?limit=N (500 by default, 20000 at most). */
function skillPageOf({ g, res, url }: Call, name: string): void {
  const s = findSkill(g, name);
  const limit = Math.min(20_000, Math.max(1, Number(url.searchParams.get('limit') ?? 500) || 500));
  sendJson(res, 200, skillPage(s, g.ledger, g.deps.paths, limit));
}

/** GET /api/skills/:name/log/:runId?from=N */
function runLog({ g, res, url }: Call, name: string, runId: string): void {
  const s = findSkill(g, name);
  sendJson(res, 200, readLogChunk(g.deps.paths, s.name, runId, Number(url.searchParams.get('from') ?? 0) || 0));
}

// Responses beyond plain JSON: dashboard files, errors, the cached skills list.

/** Any other GET or HEAD: a dashboard file (`/` is index.html, `/login` is login.html). */
function sendFile({ g, req, res }: Call, path: string): void {
  allow(req, 'GET', 'HEAD');
  // Browsers ask for /favicon.ico whatever the page links: the same icon, never a 404.
  const served = path === '/' ? '/index.html' : path === '/login' ? '/login.html' : path === '/favicon.ico' ? '/icon.svg' : path;
  const file = g.deps.files.get(served);
  if (!file) throw new ClawError('CK_NOT_FOUND', C, `nothing at ${path.slice(0, 100)}`);
  res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length, 'cache-control': 'no-cache', ...g.pageHeaders() });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

/** The headers of every dashboard file; the CSP is worked out once, at the first file asked for. */
function dashboardHeaders(deps: GatewayDeps): () => Record<string, string> {
  let csp = '';
  const sockets = () => [`ws://127.0.0.1:${deps.sessionPort}`, `ws://localhost:${deps.sessionPort}`];
  const pageCsp = () => (csp ||= dashboardCsp(deps.files.get('/index.html')?.body.toString('utf8') ?? '', sockets()));
  return () => ({
    'content-security-policy': pageCsp(), 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff', 'cross-origin-opener-policy': 'same-origin',
  });
}

/** A refused request's answer: its ClawError (429 and 401 with their headers), anything else a bare 500. */
function fail(g: Gateway, res: ServerResponse, err: unknown): void {
  if (err instanceof ClawError) {
    const extra: Record<string, string> = {};
    if (err.code === 'CK_RATE_LIMITED') extra['retry-after'] = String(g.limiter.retryAfterSeconds());
    if (err.code === 'CK_UNAUTHORIZED') extra['www-authenticate'] = 'Bearer';
    return sendError(res, err, extra);
  }
  sendError(res, new ClawError('CK_INTERNAL', C, 'internal error'));
}
