/**
 * Answers of the routing API that the workflow sends and the routing page (dashboard/client/routing.ts) reads: the
 * schema documents the answer in the OpenAPI document, its type is what both sides hold (the page imports only the
 * type, so no zod reaches the browser). The other routing answers stay in workflow/routing/responses.ts.
 */
import { z } from 'zod';

const timestamp = z.iso.datetime({ offset: true });

export const dryRunResult = z.object({
  from: timestamp,
  to: timestamp,
  total: z.number().int(),
  automatic: z.number().int(),
  toCoordinator: z.number().int(),
  unrouted: z.number().int(),
  changed: z.number().int().describe('Cases that sit in an organization now and would have gone elsewhere'),
  byOrganization: z.array(z.object({ organizationId: z.uuid(), name: z.string(), count: z.number().int() })),
  byReason: z.record(z.string(), z.number().int()),
});
/** How a table would have routed the cases of a period. */
export type DryRunResult = z.infer<typeof dryRunResult>;
