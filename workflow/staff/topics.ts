/**
 * What staff are alerted about outside the app. Every in-app notice has one of these topics; each user chooses the
 * channels (e-mail, Telegram) and may mute topics (workflow/staff/alerts.ts sends them grouped).
 */
export const ALERT_TOPICS = ['routed', 'assigned', 'approval', 'returned', 'deadline', 'overdue', 'repeat_review', 'escalation'] as const;
export type AlertTopic = (typeof ALERT_TOPICS)[number];

/** The topics as the desk's settings name them (UI text, Russian). */
export const TOPIC_TITLES: Record<AlertTopic, string> = {
  routed: 'Обращение направлено или перенаправлено в организацию',
  assigned: 'Обращение назначено или передано мне',
  approval: 'Ответ ждёт утверждения',
  returned: 'Обращение возвращено (на доработку или координатору)',
  deadline: 'До окончания срока 3 дня / 1 день',
  overdue: 'Срок ответа истёк',
  repeat_review: 'Запрошено повторное рассмотрение',
  escalation: 'В организации никто не смотрит обращения, а срок подходит',
};
