/**
 * The categories a citizen can pick in the widget (a hint for the classifier; it decides the final one). Read by the
 * submission schema and bundled into widget.js, so the form offers exactly what the server accepts.
 */
export const WIDGET_CATEGORIES = [
  'ЖКХ',
  'Дороги',
  'Общественный транспорт',
  'Благоустройство',
  'Здравоохранение',
  'Образование',
  'Социальная защита',
  'Экология',
  'Безопасность',
  'Другое',
] as const;
