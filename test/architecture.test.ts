/**
 * The walls of the README, checked on the source: each PostgreSQL table has one owning stage, and only that stage's
 * code names it in SQL (others ask the owner through a function main.ts injects, or a queue); and functions and
 * files stay short enough to read. Reads the files as text; runs nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Who owns each table of db/postgres; every table there must be listed, so a new one gets an owner. */
const OWNERS: Record<string, 'workflow' | 'ingest' | 'lib'> = {
  // The salt for author hashes, kept by lib/salt.ts for every stage.
  settings: 'lib',
  ingest_cursors: 'ingest',
  telegram_dialogs: 'ingest',
  bot_dialogs: 'ingest',
  outbound_deliveries: 'ingest',
  organizations: 'workflow',
  users: 'workflow',
  user_roles: 'workflow',
  sessions: 'workflow',
  login_failures: 'workflow',
  login_attempts: 'workflow',
  messages: 'workflow',
  contacts: 'workflow',
  cases: 'workflow',
  case_events: 'workflow',
  case_answers: 'workflow',
  case_reminders: 'workflow',
  notifications: 'workflow',
  citizen_actions: 'workflow',
  outbox: 'workflow',
  classification_corrections: 'workflow',
  routing_table_versions: 'workflow',
  routing_settings: 'workflow',
  routing_threshold_history: 'workflow',
  routing_examples: 'workflow',
  polls: 'workflow',
  poll_questions: 'workflow',
  poll_options: 'workflow',
  voter_identities: 'workflow',
  identity_challenges: 'workflow',
  identity_codes: 'workflow',
  voter_sessions: 'workflow',
  votes: 'workflow',
  vote_answers: 'workflow',
  vote_audit: 'workflow',
  poll_comments: 'workflow',
  poll_subscribers: 'workflow',
  voter_links: 'workflow',
  admin_audit: 'workflow',
  region_settings: 'workflow',
  region_settings_version: 'workflow',
  incidents: 'workflow',
  signals: 'workflow',
  incident_events: 'workflow',
  incident_replies: 'workflow',
  signal_alerts: 'workflow',
  staff_invitations: 'workflow',
  staff_history: 'workflow',
  staff_alert_settings: 'workflow',
  staff_link_codes: 'workflow',
  staff_activity: 'workflow',
  staff_digests: 'workflow',
  staff_escalations: 'workflow',
};

/**
 * Files that name another stage's tables, with those tables: none. Others ask the owner through a function main.ts
 * injects (workflow/public-reads.ts, workflow/moderation.ts) or a queue. Kept as a list so an exception has to be
 * written down here, where a review sees it.
 */
const KNOWN_PENDING: Record<string, string[]> = {};

const STAGE_DIRS = ['ingest', 'classify', 'analytics', 'dashboard', 'lib', 'workflow'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** The text of every string and template literal in a file: where SQL lives. Comments are left out. */
function literals(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push(node.text);
    if (ts.isTemplateExpression(node)) out.push([node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' '));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Names after the SQL words that introduce a table. */
const tableReferences = (sql: string) =>
  [...sql.matchAll(/\b(?:from|join|into|update|table|references|truncate)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/gi)].map((m) => m[1]!.toLowerCase());

/** The tables a file names in SQL. */
function tablesNamed(file: string): Set<string> {
  return new Set(literals(file).flatMap(tableReferences).filter((table) => table in OWNERS));
}

const stageOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : file.replace(/\.ts$/, ''));

describe('table ownership', () => {
  it('knows the owner of every table the migrations create', () => {
    const dir = path.join(ROOT, 'db/postgres');
    const created = fs.readdirSync(dir).filter((f) => f.endsWith('.sql'))
      .flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/create table (?:if not exists )?(\w+)/gi)].map((m) => m[1]!.toLowerCase()));
    expect(created.filter((t) => !(t in OWNERS))).toEqual([]);
  });

  it('finds table names in SQL literals and not in comments', () => {
    expect(tableReferences('select 1 from cases c join case_events e on e.case_id = c.id')).toEqual(['cases', 'case_events']);
    expect(tableReferences('insert into case_answers (x) values (1); update "cases" set x = 1')).toEqual(['case_answers', 'cases']);
    expect(tablesNamed('workflow/store/answers.ts')).toEqual(new Set(['case_answers', 'users']));
  });

  it('lets only the owning stage name a table in SQL', () => {
    const files = [...STAGE_DIRS.flatMap(sourceFiles), 'main.ts'];
    const foreign: Record<string, string[]> = {};
    for (const file of files) {
      const stage = stageOf(file);
      const others = [...tablesNamed(file)].filter((t) => OWNERS[t] !== stage).sort();
      if (others.length) foreign[file] = others;
    }
    expect(foreign).toEqual(KNOWN_PENDING);
    // The workflow's own tables are never named by the dashboard: corrections and merges go through workflow/moderation.ts.
    expect(Object.keys(foreign).filter((f) => f.startsWith('dashboard/') && foreign[f]!.some((t) => t.startsWith('case')))).toEqual([]);
  });
});

/**
 * What each stage may import from another stage, besides lib/ (which all share). The pipeline's stages meet only
 * through the queue contracts of lib/queues.ts and the functions main.ts injects; the dashboard draws its panels
 * with the analytics stage's queries.
 */
const MAY_IMPORT: Record<string, string[]> = { ingest: [], classify: [], workflow: [], analytics: [], dashboard: ['analytics'], lib: [] };

/** Every module a file names: static imports and re-exports (type-only included) and dynamic `import()`. */
function importsIn(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0]))
    {
      out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe('stage walls', () => {
  it('keeps every stage to its own code, lib/ and what MAY_IMPORT allows; lib/ imports no stage', () => {
    const crossings: string[] = [];
    for (const stage of STAGE_DIRS) {
      for (const file of sourceFiles(stage)) {
        for (const spec of importsIn(file, fs.readFileSync(path.join(ROOT, file), 'utf8')).filter((s) => s.startsWith('.'))) {
          const target = stageOf(path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)));
          if (STAGE_DIRS.includes(target) && target !== stage && target !== 'lib' && !MAY_IMPORT[stage]!.includes(target)) crossings.push(`${file} → ${spec}`);
        }
      }
    }
    expect(crossings).toEqual([]);
  });

  it('sees type-only imports, re-exports and dynamic imports', () => {
    const text =
      "import type { A } from '../workflow/a.js';\nexport * from './b.js';\nconst c = await import('../ingest/c.js');\n// import x from '../classify/d.js'";
    expect(importsIn('x.ts', text)).toEqual(['../workflow/a.js', './b.js', '../ingest/c.js']);
  });
});

/**
 * Files that break the size limits and predate them, with why they are long. An entry that no longer applies fails
 * the test too, so the list only shrinks; every other source file keeps to the limits.
 */
const KNOWN_LONG: Record<string, string> = {
  'lib/queues.ts': 'every queue contract in one file: the one place where the stages meet',
  'main.ts': "the composition root: the one file that makes real clients, so every role's wiring stands here",
};

/** Functions and files stay readable: no function over 80 lines, no file over 400, in every stage, main.ts and cli.ts. */
describe('size limits', () => {
  const MAX_FUNCTION_LINES = 80;
  const MAX_FILE_LINES = 400;

  it(`has no function longer than ${MAX_FUNCTION_LINES} lines and no file longer than ${MAX_FILE_LINES}`, () => {
    const long: Record<string, string[]> = {};
    const report = (file: string, what: string) => (long[file] ??= []).push(what);
    for (const file of [...STAGE_DIRS.flatMap(sourceFiles), 'main.ts', 'cli.ts']) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const lines = text.split('\n').length;
      if (lines > MAX_FILE_LINES) report(file, `${lines} lines`);
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (last - first + 1 > MAX_FUNCTION_LINES) report(file, `line ${first + 1}: a function of ${last - first + 1} lines`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    const unknown = Object.fromEntries(Object.entries(long).filter(([file]) => !(file in KNOWN_LONG)));
    expect(unknown).toEqual({});
    expect(Object.keys(long).sort()).toEqual(Object.keys(KNOWN_LONG).sort());
  });
});
