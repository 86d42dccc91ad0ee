/**
 * Where messages come from, and what staff call each channel. Dependency-free, so the dashboard's browser scripts
 * import it as the server does. A social network is one entry of NETWORK_SOURCES and one of NETWORK_LABELS (plus its
 * folder under ingest/): its `source`, its delivery `channel`, its place in filters, charts, exports and API enums,
 * the complaint model for its posts and the registration notice all follow from here (ingest/README.md).
 */

/** The social networks, each one folder under ingest/ exporting a `network` descriptor (ingest/network.ts). */
export const NETWORK_SOURCES = ['vk', 'telegram', 'max', 'ok'] as const;
export type NetworkSource = (typeof NETWORK_SOURCES)[number];

/** Every source: the 122 contact center, the site widget and the networks. */
export const SOURCES = ['contact_center', 'widget', ...NETWORK_SOURCES] as const;
export type SourceName = (typeof SOURCES)[number];

export interface SourceLabel {
  /** A badge's text (`VK`, `122`). */
  short: string;
  /** The full name in filters, charts and reports. */
  name: string;
  /** Where the answer to a case from this source goes, shown above the answer editor. */
  replyNote: string;
}

const NETWORK_LABELS: Record<NetworkSource, SourceLabel> = {
  vk: { short: 'VK', name: 'ВКонтакте', replyNote: 'Ответ будет опубликован ВКонтакте от имени сообщества — в ответ на сообщение гражданина.' },
  telegram: { short: 'TG', name: 'Telegram', replyNote: 'Ответ придёт гражданину в Telegram.' },
  max: { short: 'MAX', name: 'MAX',
    replyNote: 'Ответ придёт гражданину в MAX — в тот же чат ответом на его сообщение или под постом канала ответом на его комментарий.' },
  ok: { short: 'ОК', name: 'Одноклассники',
    replyNote: 'Ответ будет опубликован в Одноклассниках от имени группы — в чате с гражданином или под его комментарием.' },
};

/** What staff call each source: the one map the dashboard's pages, charts and reports read. */
export const SOURCE_LABELS: Readonly<Record<SourceName, SourceLabel>> = {
  contact_center: { short: '122', name: 'Контакт-центр 122',
    replyNote: 'Ответ будет отправлен гражданину по SMS на указанный телефон (или на e-mail) со ссылкой на страницу статуса обращения.' },
  widget: { short: 'Сайт', name: 'Виджет на сайте',
    replyNote: 'Ответ будет отправлен гражданину на указанный e-mail (или по SMS) со ссылкой на страницу статуса обращения.' },
  ...NETWORK_LABELS,
};

const NETWORK_SET: ReadonlySet<string> = new Set(NETWORK_SOURCES);

/** A network's message: answered on the network, its posts told from chatter by the complaint model. */
export const isNetworkSource = (source: string | undefined): source is NetworkSource => source !== undefined && NETWORK_SET.has(source);

/** The full name of a source for display; an unknown value is shown as it is. */
export const sourceName = (source: string): string => (SOURCE_LABELS as Record<string, SourceLabel | undefined>)[source]?.name ?? source;
