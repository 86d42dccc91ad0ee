/** What the routing routes answer, as zod schemas for the OpenAPI document (lib/openapi.ts). */
import { z } from 'zod';
import { routingRuleSchema } from './decide.js';

const timestamp = z.iso.datetime({ offset: true });

export const versionSummary = z.object({
  version: z.number().int(),
  comment: z.string(),
  createdBy: z.string(),
  createdAt: timestamp,
  ruleCount: z.number().int(),
});
export const tableVersion = z.object({
  version: z.number().int(),
  rules: z.array(routingRuleSchema),
  comment: z.string(),
  createdBy: z.string().nullable(),
  createdAt: timestamp.nullable(),
}).describe('Version 0 with no rules while no table was ever published');

export const routingSettings = z.object({
  threshold: z.number().describe('Model confidence from which a case is routed automatically'),
  autoRouting: z.boolean(),
  coordinatingOrganization: z.string().nullable().describe('Code or name of the organization that gets the cases not routed automatically'),
  targetRedirectRate: z.number(),
  thresholdFloor: z.number(),
  thresholdCeiling: z.number(),
  adjustMinSample: z.number().int(),
});

export const organizationCode = z.object({ id: z.uuid(), name: z.string(), code: z.string().nullable() });

export const routingStatsAnswer = z.object({
  threshold: z.number(),
  targetRedirectRate: z.number(),
  autoRoutes: z.number().int(),
  redirected: z.number().int(),
  rate: z.number().describe('Share of automatic routes later redirected'),
  toCoordinator: z.number().int(),
  sinceLastChange: z.object({ autoRoutes: z.number().int(), redirected: z.number().int(), since: timestamp.nullable(), rate: z.number() }),
  routingExamples: z.number().int(),
  thresholdHistory: z.array(z.object({
    at: timestamp,
    threshold: z.number(),
    previous: z.number().nullable(),
    actor: z.string(),
    reason: z.string(),
    autoRoutes: z.number().int().nullable(),
    redirected: z.number().int().nullable(),
  })),
});
