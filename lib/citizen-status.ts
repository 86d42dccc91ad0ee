/**
 * The public status page of a case, as the workflow answers it: what the citizen may see of their case without
 * logging in, holding only the secret token of their notices — no personal data (no name, contact, address, nor the
 * text they wrote, which anyone given the link would read). The dashboard renders it; main.ts binds the workflow's
 * implementation (workflow/citizen-status.ts), so neither imports the other.
 */
export interface StatusStage {
  at: Date;
  /** What happened, in Russian, as the citizen is told it. */
  title: string;
}

export interface CaseStatusView {
  registrationNumber: string;
  /** The case status (lib/queues.ts CASE_STATUSES). */
  status: string;
  category: string;
  organizationName: string | null;
  registeredAt: Date;
  deadlineAt: Date;
  /** The review round: 0 for the first answer, one more for each repeat review. */
  round: number;
  stages: StatusStage[];
  /** The answer sent to the citizen in the latest round, with its attachments that have a web address. */
  answer?: { text: string; at: Date; links: { title: string; url: string }[] };
  rejectionReason: string | null;
  /** The rating given in the current round. */
  rating: number | null;
  canRate: boolean;
  canRequestRepeatReview: boolean;
}

export type StatusActionResult =
  | { ok: true; status: string }
  | { ok: false; reason: 'not-found' | 'not-awaiting' | 'duplicate' | 'rating-not-low' };

export interface StatusDesk {
  /** The case of this number if the token is its own; null for an unknown number and a wrong token alike. */
  view(registrationNumber: string, token: string): Promise<CaseStatusView | null>;
  rate(registrationNumber: string, token: string, rating: number, comment?: string): Promise<StatusActionResult>;
  requestRepeatReview(registrationNumber: string, token: string, comment?: string): Promise<StatusActionResult>;
}
