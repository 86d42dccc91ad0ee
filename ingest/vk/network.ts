import { ConfigError, type Config } from '../../lib/config.js';
import type { Network, NetworkContext, NetworkParts } from '../network.js';
import { createVkApi } from './api.js';
import { parseConfirmation, registerVkCallback } from './callback.js';
import { handleCitizenButton } from './citizen-buttons.js';
import { runVkLongPoll } from './long-poll.js';
import { runNewsfeedMonitor } from './newsfeed.js';
import { createVkOutbound } from './outbound.js';

function modes(config: Config): Record<string, string> {
  const vk = config.vk;
  return {
    vk: vk.longPoll && vk.groupToken && vk.groupIds.length > 0 ? 'longpoll' : vk.callbackConfirmation ? 'callback' : 'off',
    vk_outbound: vk.groupToken ? 'on' : 'off',
    vk_search: vk.serviceToken && vk.searchKeywords.length > 0 ? 'on' : 'off',
  };
}

/**
 * VK settings that would let unauthenticated events in: a Callback API webhook without its secret takes anyone's
 * POST for a community event, so the ingest role refuses to start with it.
 */
function check(config: Config): void {
  const vk = config.vk;
  if (vk.callbackConfirmation && !vk.callbackSecret && !(vk.longPoll && vk.groupToken && vk.groupIds.length > 0)) {
    throw new ConfigError('VK_CALLBACK_CONFIRMATION is set but VK_CALLBACK_SECRET is not: the VK Callback API webhook would accept events ' +
      'anyone can forge. Set VK_CALLBACK_SECRET to the community\'s "Secret key" (Manage → API → Callback API), or unset VK_CALLBACK_CONFIRMATION.');
  }
}

/** Settings that only leave VK deaf: an empty VK_GROUP_IDS accepts no community. */
function warnings(config: Config): string[] {
  const vk = config.vk;
  return (vk.callbackConfirmation || vk.longPoll) && vk.groupIds.length === 0
    ? ["VK_GROUP_IDS is empty: no community is accepted (callbacks answer 403, nothing is long-polled). List the region's community ids."]
    : [];
}

/**
 * Community events by the Callback API or Bots Long Poll (with the presses of the rating and repeat-review buttons
 * in community dialogs), keyword search of public posts, replies from the community.
 */
function build(ctx: NetworkContext): NetworkParts {
  const { config, intake, cursors, salt, logger, modes: m } = ctx;
  const vk = config.vk;
  const groupApi = vk.groupToken
    ? createVkApi({ token: vk.groupToken, apiBaseUrl: vk.apiBaseUrl, perSecond: 20, retryWaitMs: ctx.tuning.retryWaitMs })
    : undefined;
  const tasks: NetworkParts['tasks'] = [];
  const buttons = (event: { type: string; object: unknown }) => handleCitizenButton({ api: groupApi, salt, ratings: ctx.ratings, logger }, event);
  if (m.vk === 'callback') {
    registerVkCallback(ctx.api, { intake, salt, confirmation: parseConfirmation(vk.callbackConfirmation!), secret: vk.callbackSecret!, groupIds: vk.groupIds,
      logger, buttons });
  }
  if (m.vk === 'longpoll' && groupApi) {
    for (const groupId of vk.groupIds) {
      tasks.push((signal) =>
        runVkLongPoll({ api: groupApi, groupId, ownGroupIds: vk.groupIds, intake, cursors, salt, logger, waitSeconds: ctx.tuning.pollHoldSeconds, buttons },
          signal)
      );
    }
  }
  if (m.vk_search === 'on') {
    const api = createVkApi({ token: vk.serviceToken!, apiBaseUrl: vk.apiBaseUrl, perSecond: 3, retryWaitMs: ctx.tuning.retryWaitMs });
    tasks.push((signal) =>
      runNewsfeedMonitor({ api, keywords: vk.searchKeywords, ownGroupIds: vk.groupIds, intake, cursors, salt, logger,
        intervalMs: vk.searchIntervalSeconds * 1000 }, signal)
    );
  }
  return { tasks, adapter: createVkOutbound(groupApi ? { api: groupApi, groupIds: vk.groupIds } : undefined), warnings: warnings(config) };
}

export const network: Network = { name: 'vk', modes, check, build };
