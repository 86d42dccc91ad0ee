import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjustThreshold, decideRoute, describeDecision, matchRule, routingRuleSchema, staffingRefusal, type OrgInfo, type RoutingPolicy,
  type RoutingRule } from './decide.js';

function buildOrg(overrides: Partial<OrgInfo> = {}): OrgInfo {
  return { id: overrides.id ?? `org-${Math.random().toString(36).slice(2)}`, name: 'Департамент дорог', code: null, trainingConfirmed: true,
    readyConfirmed: true, hasCoordinator: true, hasLeader: true, hasTwoPeople: true, ...overrides };
}

const roads = buildOrg({ id: 'roads', name: 'Департамент дорог', code: 'roads' });
const housing = buildOrg({ id: 'housing', name: 'Департамент ЖКХ', code: 'housing' });
const coordination = buildOrg({ id: 'coord', name: 'Центр управления регионом', code: 'region-coordination' });
const policy: RoutingPolicy = { threshold: 0.8, autoRouting: true, coordinatingOrganization: 'region-coordination' };
const orgs = [roads, housing, coordination];

describe('matchRule', () => {
  const rules: RoutingRule[] = [
    { category: 'дороги', organization: 'any-place' },
    { category: 'дороги', municipality: 'город Красноярск', organization: 'municipality' },
    { category: 'дороги', district: 'Советский', organization: 'district' },
    { reason: 'Ямы', organization: 'reason' },
  ];
  it('prefers the most specific rule', () => {
    expect(matchRule(rules, { category: 'дороги' })?.organization).toBe('any-place');
    expect(matchRule(rules, { category: 'Дороги', municipality: 'Город  Красноярск' })?.organization).toBe('municipality');
    expect(matchRule(rules, { category: 'дороги', municipality: 'город Красноярск', district: 'Советский' })?.organization).toBe('district');
    expect(matchRule(rules, { category: 'дороги', reason: 'ямы', district: 'Советский' })?.organization).toBe('reason');
    expect(matchRule(rules, { category: 'ЖКХ', municipality: 'город Красноярск' })).toBeUndefined();
  });
  it('rejects rules naming both category and reason, or no organization', () => {
    expect(routingRuleSchema.safeParse({ category: 'дороги', reason: 'ямы', organization: 'x' }).success).toBe(false);
    expect(routingRuleSchema.safeParse({ municipality: 'город Красноярск', organization: 'x' }).success).toBe(false);
    expect(routingRuleSchema.safeParse({ category: 'дороги', municipality: 'a', district: 'b', organization: 'x' }).success).toBe(false);
    expect(routingRuleSchema.safeParse({ category: 'дороги', organization: '' }).success).toBe(false);
  });
});

describe('decideRoute', () => {
  const facts = (score: number, organization = 'roads') => ({ category: 'дороги', municipality: 'город Красноярск', suggestions: [{ organization, score }] });

  it('routes automatically at or above the threshold, to the coordinator below it', () => {
    expect(decideRoute(facts(0.8), [], policy, orgs)).toMatchObject({ kind: 'auto', organizationId: 'roads', source: 'model', reason: 'model-confident' });
    expect(decideRoute(facts(0.79), [], policy, orgs)).toMatchObject({ kind: 'coordinator', organizationId: 'coord', reason: 'below-threshold',
      label: 'roads' });
  });

  it('maps model labels by code or by name', () => {
    expect(decideRoute(facts(0.9, 'департамент жкх'), [], policy, orgs)).toMatchObject({ kind: 'auto', organizationId: 'housing' });
    expect(decideRoute(facts(0.9, 'Нет такой'), [], policy, orgs)).toMatchObject({ kind: 'coordinator', reason: 'unknown-organization' });
  });

  it('never chooses an organization without both readiness flags or an active coordinator', () => {
    const notTrained = [buildOrg({ ...roads, trainingConfirmed: false }), housing, coordination];
    const notReady = [buildOrg({ ...roads, readyConfirmed: false }), housing, coordination];
    const noCoordinator = [buildOrg({ ...roads, hasCoordinator: false }), housing, coordination];
    expect(decideRoute(facts(0.99), [], policy, notTrained)).toMatchObject({ kind: 'coordinator', reason: 'not-ready' });
    expect(decideRoute(facts(0.99), [], policy, notReady)).toMatchObject({ kind: 'coordinator', reason: 'not-ready' });
    expect(decideRoute(facts(0.99), [], policy, noCoordinator)).toMatchObject({ kind: 'coordinator', reason: 'no-coordinator' });
    const noLeader = [buildOrg({ ...roads, hasLeader: false }), housing, coordination];
    expect(decideRoute(facts(0.99), [], policy, noLeader)).toMatchObject({ kind: 'coordinator', reason: 'no-leader' });
    // One person who is both coordinator and leader is not the two responsible people ПОС asks for.
    const onePerson = [buildOrg({ ...roads, hasTwoPeople: false }), housing, coordination];
    const d = decideRoute(facts(0.99), [], policy, onePerson);
    expect(d).toMatchObject({ kind: 'coordinator', reason: 'one-person' });
    expect(describeDecision(d, 0.8)).toBe('Направлено координатору региона: в организации «roads» координатор и руководитель — один и тот же человек.');
    const rules: RoutingRule[] = [{ category: 'дороги', organization: 'roads' }];
    expect(decideRoute(facts(0.1), rules, policy, notReady)).toMatchObject({ kind: 'coordinator', source: 'table', reason: 'not-ready' });
  });

  it('sends nothing to a coordinating organization that has no active coordinator or leader, and says so', () => {
    const unstaffed = [roads, housing, buildOrg({ ...coordination, hasLeader: false })];
    expect(decideRoute(facts(0.1), [], policy, unstaffed)).toMatchObject({ kind: 'none', reason: 'below-threshold',
      coordinatorUnstaffed: { name: 'Центр управления регионом', reason: 'no-leader' } });
    expect(decideRoute(facts(0.99), [], policy, unstaffed)).toMatchObject({ kind: 'auto', organizationId: 'roads' });
  });

  it('explains in Russian why an organization cannot receive cases', () => {
    const school = { name: 'Школа № 5', hasCoordinator: true, hasLeader: true, hasTwoPeople: true };
    expect(staffingRefusal(school)).toBeUndefined();
    expect(staffingRefusal({ ...school, hasCoordinator: false, hasTwoPeople: false })).toMatch(
      /^Организация «Школа № 5» не может получать обращения: в ней нет активного координатора\./,
    );
    expect(staffingRefusal({ ...school, hasCoordinator: false, hasLeader: false, hasTwoPeople: false })).toContain(
      'нет активного координатора и активного руководителя',
    );
    expect(staffingRefusal({ ...school, hasTwoPeople: false })).toBe('Организация «Школа № 5» не может получать обращения: координатор и руководитель в ней — '
      + 'один и тот же человек. ПОС требует назначить ответственных (минимум два человека, включая руководителя): назначьте роли в организации или выберите другую.');
  });

  it('lets table rules win over the model', () => {
    const rules: RoutingRule[] = [{ category: 'дороги', municipality: 'город Красноярск', organization: 'housing' }];
    expect(decideRoute(facts(0.99), rules, policy, orgs)).toMatchObject({ kind: 'auto', organizationId: 'housing', source: 'table', reason: 'table-rule' });
  });

  it('needs a person when there is no coordinating organization', () => {
    expect(decideRoute(facts(0.1), [], { ...policy, coordinatingOrganization: null }, orgs)).toMatchObject({ kind: 'none', reason: 'below-threshold' });
    expect(decideRoute({ category: 'дороги', suggestions: [] }, [], policy, orgs)).toMatchObject({ kind: 'coordinator', reason: 'no-suggestions' });
    expect(decideRoute(facts(0.99), [], { ...policy, autoRouting: false }, orgs)).toMatchObject({ kind: 'coordinator', reason: 'auto-routing-off' });
  });

  it('explains every decision in Russian', () => {
    const d = decideRoute(facts(0.5), [], policy, orgs);
    expect(describeDecision(d, 0.8).replace(/\u00a0/g, ' ')).toBe(
      'Направлено координатору региона: уверенность модели 50 % ниже порога 80 % (предложение: «roads»).',
    );
  });

  it('names organizations by name in the explanation, not by their routing code', () => {
    const d = decideRoute(facts(0.5), [], policy, orgs);
    expect(describeDecision(d, 0.8, orgs)).toContain('(предложение: «Департамент дорог»)');
  });

  it('picks an automatic organization only if it is ready (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.boolean(), r: fc.boolean(), c: fc.boolean(), l: fc.boolean(), two: fc.boolean() }), { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (flags, score) => {
          const list = flags.map((f, i) =>
            buildOrg({ id: `o${i}`, name: `Орг ${i}`, code: `o${i}`, trainingConfirmed: f.t, readyConfirmed: f.r, hasCoordinator: f.c, hasLeader: f.l,
              hasTwoPeople: f.c && f.l && f.two })
          );
          const d = decideRoute({ category: 'x', suggestions: [{ organization: 'o0', score }] }, [], policy, [...list, coordination]);
          if (d.kind === 'auto') {
            const o = list.find((x) => x.id === d.organizationId)!;
            expect(o.trainingConfirmed && o.readyConfirmed && o.hasCoordinator && o.hasLeader && o.hasTwoPeople && score >= policy.threshold).toBe(true);
          }
        },
      ),
    );
  });
});

describe('adjustThreshold', () => {
  const p = { threshold: 0.8, targetRate: 0.1, floor: 0.6, ceiling: 0.99, minSample: 20 };
  it('waits for enough automatic routes', () => {
    expect(adjustThreshold(p, 19, 19)).toBeUndefined();
  });
  it('raises above the target rate, lowers slowly well below it, stays in between', () => {
    expect(adjustThreshold(p, 20, 3)?.threshold).toBe(0.85);
    // The threshold history reads in Russian: a comma and a spaced per cent sign.
    expect(adjustThreshold(p, 20, 3)?.reason.replace(/\u00a0/g, ' ')).toBe('доля перенаправлений 15 % (3 из 20) выше целевой 10 %: порог повышен');
    expect(adjustThreshold({ ...p, targetRate: 0.125 }, 24, 5)?.reason.replace(/\u00a0/g, ' ')).toMatch(
      /^доля перенаправлений 20,8 % \(5 из 24\) выше целевой 12,5 %/,
    );
    expect(adjustThreshold(p, 20, 0)?.threshold).toBe(0.79);
    expect(adjustThreshold(p, 20, 2)).toBeUndefined();
    expect(adjustThreshold(p, 40, 3)).toBeUndefined();
  });
  it('keeps within floor and ceiling', () => {
    expect(adjustThreshold({ ...p, threshold: 0.97 }, 20, 10)?.threshold).toBe(0.99);
    expect(adjustThreshold({ ...p, threshold: 0.99 }, 20, 10)).toBeUndefined();
    expect(adjustThreshold({ ...p, threshold: 0.6 }, 20, 0)).toBeUndefined();
  });
});
