/**
 * Every regular expression in the project's own code, found by parsing the sources with the TypeScript compiler:
 * regex literals, `new RegExp` / `RegExp` with a literal pattern, and strings handed to `match`, `matchAll` and
 * `search` (which turn them into regular expressions). Patterns built at run time cannot be read from the source;
 * they are listed as dynamic sites, named by file and enclosing function, so a test can demand an explicit check of
 * each. Also lists the `natural` modules the code imports (their regexes run on citizens' words).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface FoundRegex {
  source: string;
  flags: string;
  /** `file:line`, for the failure message. */
  where: string;
}

export interface DynamicSite {
  /** `file#function`: stable across edits of unrelated lines. */
  key: string;
  where: string;
}

export interface Inventory {
  literals: FoundRegex[];
  dynamic: DynamicSite[];
  /** Bare specifiers of imported `natural` submodules. */
  naturalModules: string[];
  files: number;
}

/** Directories that hold no source of ours (dependencies, data, outputs) or only test code. */
const SKIP_DIRS = new Set(['node_modules', '.git', 'data', 'bench-results', 'test-results', 'test', 'models', 'tmp']);
const SOURCE = /\.(?:ts|mts|mjs|js)$/;
const NOT_SOURCE = /\.(?:test\.ts|d\.ts)$/;

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name));
      } else if (SOURCE.test(entry.name) && !NOT_SOURCE.test(entry.name)) {
        out.push(path.join(dir, entry.name));
      }
    }
  };
  walk(root);
  return out.sort();
}

function literalText(node: ts.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

function enclosingName(node: ts.Node): string {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name) return n.name.getText();
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isVariableDeclaration(n.parent)) return n.parent.name.getText();
  }
  return '(module)';
}

/** Regexes of one file (TypeScript or JavaScript source text). */
export function regexesOf(file: string, text: string, label = file): Omit<Inventory, 'files'> {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, /\.m?ts$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const literals: FoundRegex[] = [];
  const dynamic: DynamicSite[] = [];
  const naturalModules: string[] = [];
  const where = (n: ts.Node) => `${label}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  const visit = (node: ts.Node) => {
    if (ts.isRegularExpressionLiteral(node)) {
      const t = node.text;
      const end = t.lastIndexOf('/');
      literals.push({ source: t.slice(1, end), flags: t.slice(end + 1), where: where(node) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      const [pattern, flags] = node.arguments ?? [];
      const source = literalText(pattern);
      const flagText = flags === undefined ? '' : literalText(flags);
      if (source !== undefined && flagText !== undefined) literals.push({ source, flags: flagText, where: where(node) });
      else dynamic.push({ key: `${label}#${enclosingName(node)}`, where: where(node) });
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)
      && ['match', 'matchAll', 'search'].includes(node.expression.name.text))
    {
      const source = literalText(node.arguments[0]);
      // A string there is compiled as a pattern, unescaped.
      if (source !== undefined) literals.push({ source, flags: '', where: where(node) });
    } else if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.startsWith('natural/')) {
      naturalModules.push(node.moduleSpecifier.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { literals, dynamic, naturalModules };
}

export function inventory(root: string): Inventory {
  const files = sourceFiles(root);
  const all: Inventory = { literals: [], dynamic: [], naturalModules: [], files: files.length };
  for (const file of files) {
    const found = regexesOf(file, fs.readFileSync(file, 'utf8'), path.relative(root, file));
    all.literals.push(...found.literals);
    all.dynamic.push(...found.dynamic);
    all.naturalModules.push(...found.naturalModules);
  }
  all.naturalModules = [...new Set(all.naturalModules)].sort();
  return all;
}
