/**
 * The caller's alerts outside the app: e-mail (to the staff card's address) and/or Telegram (a chat linked with a
 * one-time code sent to the bot), which topics, and whether to get the twice-daily digest.
 */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { withTransaction } from '../../lib/transaction.js';
import { createLinkCode, LINK_CODE_MINUTES } from '../staff/telegram-link.js';
import { ALERT_TOPICS, TOPIC_TITLES } from '../staff/topics.js';
import { alertRecipient, saveAlertSettings, unlinkTelegram } from '../store/staff-alerts.js';
import type { RouteDeps } from './common.js';
import { okAnswer, timestamp } from './responses.js';

const alertSettings = z.object({
  email: z.object({ enabled: z.boolean(), address: z.string().nullable().describe("The staff card's e-mail; alerts need one") }),
  telegram: z.object({ enabled: z.boolean(), linked: z.boolean() }),
  topics: z.array(z.object({ topic: z.enum(ALERT_TOPICS), title: z.string(), enabled: z.boolean() })),
  digest: z.boolean().describe("The digest at the region's digest times (09:00 and 14:00 by default)"),
  digestTimes: z.array(z.string()),
  intervalMinutes: z.number().int().describe('Alerts are grouped: at most one message per this many minutes'),
});

const settingsBody = z.object({
  emailEnabled: z.boolean(),
  telegramEnabled: z.boolean(),
  mutedTopics: z.array(z.enum(ALERT_TOPICS)).max(ALERT_TOPICS.length).default([]),
  digest: z.boolean(),
});

export function registerAlertRoutes(api: ApiBuilder, deps: RouteDeps & { alertMinutes: number }): void {
  const { db, now } = deps;
  const settingsOf = async (userId: string) => {
    const u = (await alertRecipient(db, userId))!;
    return {
      email: { enabled: u.emailEnabled, address: u.email },
      telegram: { enabled: u.telegramEnabled, linked: u.telegramLinked },
      topics: ALERT_TOPICS.map((topic) => ({ topic, title: TOPIC_TITLES[topic], enabled: !u.mutedTopics.includes(topic) })),
      digest: u.digestEnabled,
      digestTimes: deps.region.digestTimes,
      intervalMinutes: deps.alertMinutes,
    };
  };

  api.route({ method: 'get', path: '/api/v1/me/alerts', tag: 'notifications', summary: "The caller's alert channels, topics and digest choice.",
    response: alertSettings, errors: [] }, async ({ user }) => ({ body: await settingsOf(user.id) }));

  api.route({ method: 'put', path: '/api/v1/me/alerts', tag: 'notifications', summary: 'Choose e-mail and/or Telegram, mute topics, take or skip the digest.',
    body: settingsBody, response: alertSettings, errors: { 409: 'Telegram is not linked yet' } }, async ({ user, body }) => {
    const u = (await alertRecipient(db, user.id))!;
    if (body.telegramEnabled && !u.telegramLinked) throw new HttpError(409, 'link Telegram first: ask for a code and send it to the bot');
    await withTransaction(db,
      (sql) =>
        saveAlertSettings(sql, user.id, { emailEnabled: body.emailEnabled, telegramEnabled: body.telegramEnabled, mutedTopics: body.mutedTopics,
          digestEnabled: body.digest }, now()));
    return { body: await settingsOf(user.id) };
  });

  api.route({ method: 'post', path: '/api/v1/me/alerts/telegram-code', tag: 'notifications',
    summary: `A one-time code (${LINK_CODE_MINUTES} minutes) to link Telegram: send \`/link <code>\` to the bot. A new code voids the old one.`, status: 201,
    response: z.object({ code: z.string(), expiresAt: timestamp, command: z.string() }), errors: [] }, async ({ user }) => {
    const { code, expiresAt } = await createLinkCode(db, user.id, now());
    return { body: { code, expiresAt: expiresAt.toISOString(), command: `/link ${code}` } };
  });

  api.route({ method: 'delete', path: '/api/v1/me/alerts/telegram', tag: 'notifications', summary: 'Unlink Telegram: no more alerts there.', response: okAnswer,
    errors: [] }, async ({ user }) => {
    await unlinkTelegram(db, { userId: user.id }, now());
    return { body: { ok: true } };
  });
}
