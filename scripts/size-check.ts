// The size limits that keep the core readable (docs/design.md): no source file over 400 lines,
// no function over 80, and no more than 80 lines of a file's top-level code (statements outside
// any function, counted as one `<top level>` function: `main/electron/main.ts` is mostly that).
// The tests and end-to-end tests are held to the same limits: a test is read as often as the
// code. `node scripts/size-check.ts [root]` prints every offender and exits 1 if there is one;
// the test suite runs it on this repository (test/scripts/size-check.test.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 80;

/** Where the hand-written source and its tests live; generated and vendored code is left out. */
const SOURCE_DIRS = ['main', 'renderer', 'bin', 'test', 'e2e'];
/** The name a file's top-level code is reported under. */
export const TOP_LEVEL = '<top level>';
const SKIP = [/\/generated\//, /\/vendor\//, /\.d\.ts$/];
const SOURCE_EXT = /\.(ts|cts|mts|js|cjs|mjs)$/;

export interface Offender {
  file: string;
  /** A function's name as written (or `<anonymous>`); absent for a whole file. */
  fn?: string;
  line: number;
  lines: number;
  limit: number;
}

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE_EXT.test(name) && !SKIP.some((re) => re.test(path))) out.push(path);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  return out.sort();
}

function functionName(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  // `const f = () => …` and `x: function () {…}` carry their name on the parent.
  const parent = node.parent as { name?: ts.Node } | undefined;
  if (parent?.name && (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name))) return parent.name.text;
  // `describe('…', () => {…})` and `it('…', async () => {…})`: the callback is named by its call.
  const call = node.parent;
  if (call && ts.isCallExpression(call) && ts.isIdentifier(call.expression)) return `${call.expression.text} callback`;
  return '<anonymous>';
}

/** A literal table (`const SCHEMA = {…}`, `[…] as const`): data, however long, not code to follow. */
function dataTable(node: ts.Statement): boolean {
  if (!ts.isVariableStatement(node)) return false;
  return node.declarationList.declarations.every((d) => {
    let init = d.initializer;
    const wrapped = (n: ts.Expression) => ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isParenthesizedExpression(n);
    while (init && wrapped(init)) init = (init as ts.AsExpression).expression;
    return !!init && (ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init));
  });
}

/**
 * Statements that are not a file's top-level code: types, imports and re-exports, and functions,
 * classes and data tables, whose functions are measured one by one and whose size the file
 * limit holds.
 */
function notTopLevelCode(node: ts.Statement): boolean {
  return ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isImportDeclaration(node)
    || ts.isExportDeclaration(node) || ts.isImportEqualsDeclaration(node) || ts.isModuleDeclaration(node)
    || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || dataTable(node);
}

/** A `describe('…', () => {…})` (or `suite`) callback: a group of tests, read like a file. */
function isGroupCallback(node: ts.Node): boolean {
  const call = node.parent;
  return (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && !!call && ts.isCallExpression(call)
    && ts.isIdentifier(call.expression) && ['describe', 'suite'].includes(call.expression.text);
}

/**
 * The lines of code of `statements` themselves: every line they span, less the lines inside
 * function bodies (counted as functions of their own), blank and comment-only lines, and what
 * `notTopLevelCode` leaves out.
 */
function ownCodeLines(src: ts.SourceFile, statements: readonly ts.Statement[]): { line: number; lines: number } {
  const lines = new Set<number>();
  const lineOf = (pos: number): number => src.getLineAndCharacterOfPosition(pos).line;
  const inFunctions = new Set<number>();
  const markFunctions = (node: ts.Node): void => {
    const body = ts.isFunctionLike(node) ? (node as { body?: ts.Node }).body : undefined;
    if (body) {
      // The lines strictly inside the body: its first and last lines hold the caller's code too.
      for (let l = lineOf(body.getStart(src)) + 1; l < lineOf(body.getEnd()); l++) inFunctions.add(l);
      return;
    }
    ts.forEachChild(node, markFunctions);
  };
  const text = src.text.split('\n');
  for (const statement of statements) {
    if (notTopLevelCode(statement)) continue;
    markFunctions(statement);
    for (let l = lineOf(statement.getStart(src)); l <= lineOf(statement.getEnd()); l++) {
      if (!/^\s*($|\/\/|\/\*|\*)/.test(text[l] ?? '')) lines.add(l);
    }
  }
  for (const l of inFunctions) lines.delete(l);
  const first = Math.min(...lines);
  return { line: Number.isFinite(first) ? first + 1 : 1, lines: lines.size };
}

/** Every file and function of `root`'s source over its limit. */
export function sizeOffenders(root: string): Offender[] {
  const offenders: Offender[] = [];
  for (const path of sourceFiles(root)) {
    const text = readFileSync(path, 'utf8');
    const file = relative(root, path);
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_FILE_LINES) offenders.push({ file, line: 1, lines, limit: MAX_FILE_LINES });
    const src = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      const body = ts.isFunctionLike(node) ? (node as { body?: ts.Node }).body : undefined;
      if (body && isGroupCallback(node) && ts.isBlock(body)) {
        // A group's tests are functions of their own: the group is held, like a file's top level,
        // to the lines of its own code (its setup), not to the sum of its tests.
        const own = ownCodeLines(src, body.statements);
        if (own.lines > MAX_FUNCTION_LINES) offenders.push({
          file, fn: functionName(node), line: own.line, lines: own.lines, limit: MAX_FUNCTION_LINES,
        });
      } else if (body) {
        const start = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
        const end = src.getLineAndCharacterOfPosition(node.getEnd()).line;
        const n = end - start + 1;
        if (n > MAX_FUNCTION_LINES) offenders.push({ file, fn: functionName(node), line: start + 1, lines: n, limit: MAX_FUNCTION_LINES });
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
    const top = ownCodeLines(src, src.statements);
    if (top.lines > MAX_FUNCTION_LINES) offenders.push({
      file, fn: TOP_LEVEL, line: top.line, lines: top.lines, limit: MAX_FUNCTION_LINES,
    });
  }
  return offenders;
}

export function describe(o: Offender): string {
  return o.fn
    ? `${o.file}:${o.line} function ${o.fn} is ${o.lines} lines (limit ${o.limit})`
    : `${o.file} is ${o.lines} lines (limit ${o.limit})`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), '..', '..'));
  const found = sizeOffenders(root);
  for (const o of found) console.log(describe(o));
  console.log(
    found.length === 0
      ? `size check: ${sourceFiles(root).length} files within ${MAX_FILE_LINES} lines, every function within ${MAX_FUNCTION_LINES}`
      : `size check: ${found.length} over the limit; split them by concern (docs/design.md)`,
  );
  process.exitCode = found.length === 0 ? 0 : 1;
}
