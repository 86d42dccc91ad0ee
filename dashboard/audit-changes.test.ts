import { describe, expect, it } from 'vitest';
import { describeChanges } from './audit-changes.js';

const names = {
  organizations: { 'org-1': 'Управление образования', 'org-2': 'Администрация города' },
  roles: { coordinator: 'Координатор', executor: 'Исполнитель' },
  orgKinds: { omsu: 'Местное самоуправление (ОМСУ)' },
  pollStatuses: { open: 'Идёт голосование' },
};

describe('audit changes in Russian', () => {
  it('names the fields of an edit and shows each value in words', () => {
    const text = describeChanges({ action: 'updated', changes: {
      inn: { from: null, to: '2457009983' },
      readyConfirmed: { from: false, to: true },
      parentId: { from: null, to: 'org-2' },
    } }, names);
    expect(text).toBe('ИНН: — → «2457009983»; ЛКО готов к работе: нет → да; Входит в: — → Администрация города');
  });

  it('lists the fields of a creation and the roles granted', () => {
    expect(describeChanges({ action: 'created', changes: { to: { name: 'Школа № 5', kind: 'omsu', parentId: 'org-1' } } }, names))
      .toBe('Название: «Школа № 5»; Вид: Местное самоуправление (ОМСУ); Входит в: Управление образования');
    expect(
      describeChanges({ action: 'created',
        changes: { login: 'anna', displayName: 'Петрова А. С.', roles: [{ role: 'coordinator', organizationId: 'org-1' }] } }, names),
    )
      .toBe('Логин: «anna»; ФИО: «Петрова А. С.»; Роли: Координатор (Управление образования)');
  });

  it('says what a whole-value change was about: roles in one place, a routing code, a poll status, a setting', () => {
    expect(describeChanges({ action: 'roles', changes: { organizationId: 'org-1', from: ['executor'], to: ['executor', 'coordinator'] } }, names))
      .toBe('Где: Управление образования; Роли: Исполнитель → Исполнитель, Координатор');
    expect(describeChanges({ action: 'roles', changes: { organizationId: null, from: [], to: ['coordinator'] } }, names)).toBe(
      'Где: весь регион; Роли: — → Координатор',
    );
    expect(describeChanges({ action: 'code', changes: { to: 'central' } }, names)).toBe('Код для маршрутизации: «central»');
    expect(describeChanges({ action: 'status', changes: { to: 'open' } }, names)).toBe('Статус: Идёт голосование');
    expect(describeChanges({ action: 'set', changes: { from: null, to: { standardDays: 20, fastTrackDays: 7 } } }, names))
      .toBe('Значение: — → (Обычный срок, дней: 20; Срок быстрой задачи, дней: 7)');
    expect(describeChanges({ action: 'updated', changes: { password: 'изменён' } }, names)).toBe('Пароль: изменён');
  });

  it('never shows a raw JSON key or brace', () => {
    const text = describeChanges({ action: 'set', changes: { from: ['https://a.test'], to: ['https://a.test', 'https://b.test'] } }, names);
    expect(text).toBe('Значение: «https://a.test» → «https://a.test», «https://b.test»');
    expect(text).not.toMatch(/[{}"]/);
  });
});
