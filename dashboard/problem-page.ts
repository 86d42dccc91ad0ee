/**
 * «Сообщить о проблеме» for a citizen who came to the overview: every channel the region has switched on, with a link
 * where there is something to follow (the VK community, the sites with the widget). The channels come from the live
 * settings, so a site added on /admin/channels appears here within seconds.
 */
import { escapeHtml } from './html.js';

export interface AppealChannels {
  /** Official VK communities of the region (their messages and comments are read). */
  vkGroupIds: number[];
  /** Whether the region's Telegram bot is on. */
  telegram: boolean;
  /** Sites where the widget's form «Сообщить о проблеме» works. */
  widgetSites: string[];
}

/** Only http(s) addresses become links: a setting is an administrator's text, never markup or a script URL. */
const siteLink = (
  site: string,
) => (/^https?:\/\/[^\s"<>]+$/i.test(site) ? `<a href="${escapeHtml(site)}">${escapeHtml(site.replace(/^https?:\/\//i, ''))}</a>` : escapeHtml(site));

export function problemBody(c: AppealChannels): string {
  // «*» (any site) and other non-addresses name no site a citizen could open.
  const sites = c.widgetSites.filter((s) => /^https?:\/\//i.test(s));
  const items = [
    `<li><h2>По телефону</h2><p>Позвоните в контакт-центр региона по номеру <a href="tel:122">122</a> — оператор запишет обращение.</p></li>`,
    c.vkGroupIds.length ?
      `<li><h2>ВКонтакте</h2><p>Напишите сообщение или комментарий в официальном сообществе региона:
      ${c.vkGroupIds.map((id) => `<a href="https://vk.com/club${id}">vk.com/club${id}</a>`).join(', ')}.</p></li>` :
      '',
    c.telegram ? '<li><h2>Telegram</h2><p>Напишите чат-боту региона в Telegram: он зарегистрирует обращение и пришлёт ответ туда же.</p></li>' : '',
    sites.length ?
      `<li><h2>На сайтах органов власти</h2><p>Заполните форму «Сообщить о проблеме» на сайте:</p>
      <ul>${sites.map((s) => `<li>${siteLink(s)}</li>`).join('')}</ul></li>` :
      '',
  ].filter(Boolean);
  return `<h1>Сообщить о проблеме</h1>
<p>Обращение рассмотрит организация, которая отвечает за решение проблемы; ответ придёт туда же, откуда вы написали.
Обычный срок ответа — до 30 дней, срочные проблемы (нет воды, тепла, света) решаются быстрее.</p>
<ul class="channels">${items.join('\n')}</ul>
<p><a href="/">На главную</a> · <a href="/polls">Голосования и опросы</a></p>`;
}
