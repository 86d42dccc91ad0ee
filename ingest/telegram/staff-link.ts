/**
 * Staff link their Otklik account to the bot for alerts: `/link <code>` (the code from the desk) or the deep link
 * `/start link-<code>`; `/unlink` forgets the chat. The workflow checks the code and keeps the chat id: main.ts hands
 * its desk in as a function (ingest never imports the workflow).
 */
export type StaffLinkAnswer = { linked: true; displayName: string } | { linked: false; reason: 'invalid' | 'expired' };

/** What the bot needs of the workflow to link a staff member's chat. */
export interface StaffLinkDesk {
  link(a: { code: string; chatId: string }): Promise<StaffLinkAnswer>;
  unlink(a: { chatId: string }): Promise<number>;
}

export const STAFF_LINK_TEXTS = {
  linked: (name: string) =>
    `Готово, ${name}! Уведомления Отклика будут приходить в этот чат. Что присылать, выбирается на рабочем столе `
    + '(раздел «Уведомления вне системы»). Отвязать чат: /unlink',
  invalid: 'Код не подошёл. Получите код на рабочем столе Отклика (раздел «Уведомления вне системы») и отправьте: /link КОД',
  expired: 'Срок действия кода истёк. Получите на рабочем столе новый код и отправьте его снова: /link КОД',
  askCode: 'Отправьте код с рабочего стола Отклика так: /link КОД',
  unlinked: 'Чат отвязан: уведомления Отклика сюда больше не придут.',
  notLinked: 'Этот чат не привязан ни к одной учётной записи Отклика.',
};

const LINK = /^\/link(?:@\w+)?(?:\s+(\S+))?\s*$/;
const DEEP_LINK = /^\/start\s+link-([A-Za-z0-9]{1,32})$/;
const UNLINK = /^\/unlink(?:@\w+)?\s*$/;

/** Whether the text is a staff link command of a private chat; if so it is answered here. */
export async function staffLinkCommand(text: string, chatId: number, desk: StaffLinkDesk, reply: (text: string) => Promise<unknown>): Promise<boolean> {
  if (UNLINK.test(text)) {
    await reply((await desk.unlink({ chatId: String(chatId) })) > 0 ? STAFF_LINK_TEXTS.unlinked : STAFF_LINK_TEXTS.notLinked);
    return true;
  }
  const code = LINK.exec(text)?.[1] ?? DEEP_LINK.exec(text)?.[1];
  if (code === undefined) {
    if (!LINK.test(text)) return false;
    await reply(STAFF_LINK_TEXTS.askCode);
    return true;
  }
  const answer = await desk.link({ code: code.slice(0, 32), chatId: String(chatId) });
  await reply(answer.linked ? STAFF_LINK_TEXTS.linked(answer.displayName) : STAFF_LINK_TEXTS[answer.reason]);
  return true;
}
