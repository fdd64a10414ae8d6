// The size limits that keep the core readable (docs/design.md): no source file over 400 lines,
// no function over 80. `node scripts/size-check.ts [root]` prints every offender and exits 1 if
// there is one; the test suite runs it on this repository (test/scripts/size-check.test.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 80;

/** Where the product's hand-written source lives; generated and vendored code is left out. */
const SOURCE_DIRS = ['main', 'renderer', 'bin'];
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
  return '<anonymous>';
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
      if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
        const start = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
        const end = src.getLineAndCharacterOfPosition(node.getEnd()).line;
        const n = end - start + 1;
        if (n > MAX_FUNCTION_LINES) offenders.push({ file, fn: functionName(node), line: start + 1, lines: n, limit: MAX_FUNCTION_LINES });
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
  return offenders;
}

export function describe(o: Offender): string {
  return o.fn ? `${o.file}:${o.line} function ${o.fn} is ${o.lines} lines (limit ${o.limit})` : `${o.file} is ${o.lines} lines (limit ${o.limit})`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), '..', '..'));
  const found = sizeOffenders(root);
  for (const o of found) console.log(describe(o));
  console.log(found.length === 0 ? `size check: ${sourceFiles(root).length} files within ${MAX_FILE_LINES} lines, every function within ${MAX_FUNCTION_LINES}` : `size check: ${found.length} over the limit; split them by concern (docs/design.md)`);
  process.exitCode = found.length === 0 ? 0 : 1;
}
