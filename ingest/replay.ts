/**
 * `otklik replay FILE.jsonl`: saved raw posts of any channel fed through the same normalisation as live intake
 * (backfills, demos). One JSON object per line: `{"source": "vk", "type": "wall_reply_new", "object": {...}}`,
 * `{"source": "telegram", "message": {...}}` (or a whole `update`), `{"source": "contact_center", "card": {...}}`,
 * or `{"source": "widget", "submission": {...}, "site": "https://…"}`.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import type { Message } from '@telegraf/types';
import { z } from 'zod';
import { callCardSchema, normalizeCallCard } from './contact-center.js';
import type { IncomingMessage } from '../lib/queues.js';
import type { Intake } from './intake.js';
import { normalizeTelegramPost } from './telegram/normalize.js';
import { normalizeVkEvent } from './vk/normalize.js';
import { normalizeWidgetSubmission, widgetSubmissionSchema } from './widget/router.js';
import type { ImportReport } from './import-calls.js';

const lineSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('vk'), type: z.string(), object: z.unknown(), group_id: z.number().int().optional() }),
  z.object({ source: z.literal('telegram'), message: z.record(z.string(), z.unknown()).optional(), update: z.record(z.string(), z.unknown()).optional() }),
  z.object({ source: z.literal('contact_center'), card: z.unknown() }),
  z.object({ source: z.literal('widget'), submission: z.unknown(), site: z.string().min(1) }),
]);

const CHUNK = 500;

export async function replayFile(file: string,
  deps: { intake: Intake; salt: string; ownGroupIds: number[]; progress?: (line: string) => void }): Promise<ImportReport>
{
  if (!fs.existsSync(file)) throw new Error(`file not found: ${file}`);
  const report: ImportReport = { total: 0, imported: 0, skipped: 0, errors: [] };
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  // Lines go to intake in chunks, one queue job per chunk; already accepted messages count as skipped.
  let chunk: IncomingMessage[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const r = await deps.intake.acceptMany(chunk);
    chunk = [];
    report.imported += r.accepted;
    report.skipped += r.duplicates;
  };
  for await (const text of lines) {
    lineNo++;
    if (!text.trim()) continue;
    report.total++;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      report.errors.push({ line: lineNo, error: 'not valid JSON' });
      continue;
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) {
      report.errors.push({ line: lineNo, error: parsed.error.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; ') });
      continue;
    }
    const l = parsed.data;
    let result: { ok: true; message: Parameters<Intake['accept']>[0] } | { ok: false; reason: string };
    switch (l.source) {
      case 'vk':
        result = normalizeVkEvent({ type: l.type, object: l.object, group_id: l.group_id }, { salt: deps.salt, ownGroupIds: deps.ownGroupIds,
          provenance: { via: 'replay' } });
        break;
      case 'telegram': {
        const m = (l.message ?? l.update?.message ?? l.update?.channel_post) as Message | undefined;
        result = m ? normalizeTelegramPost(m, { salt: deps.salt }) : { ok: false, reason: 'telegram line needs message or update.message/channel_post' };
        break;
      }
      case 'contact_center': {
        const c = callCardSchema.safeParse(l.card);
        result = c.success
          ? { ok: true, message: normalizeCallCard(c.data, deps.salt) }
          : { ok: false, reason: c.error.issues.map((i) => `card.${i.path.join('.')}: ${i.message}`).join('; ') };
        break;
      }
      case 'widget': {
        const s = widgetSubmissionSchema.safeParse(l.submission);
        result = s.success
          ? { ok: true, message: normalizeWidgetSubmission(s.data, { salt: deps.salt, site: l.site }) }
          : { ok: false, reason: s.error.issues.map((i) => `submission.${i.path.join('.')}: ${i.message}`).join('; ') };
        break;
      }
    }
    if (!result.ok) {
      report.errors.push({ line: lineNo, error: result.reason });
      continue;
    }
    chunk.push(result.message);
    if (chunk.length >= CHUNK) await flush();
    if (report.total % 1000 === 0) {
      await flush();
      deps.progress?.(`${report.total} lines: ${report.imported} imported, ${report.skipped} skipped, ${report.errors.length} errors`);
    }
  }
  await flush();
  deps.progress?.(`done: ${report.total} lines, ${report.imported} imported, ${report.skipped} skipped, ${report.errors.length} errors`);
  return report;
}
