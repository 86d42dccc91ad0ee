/**
 * The poll model: what a poll may contain, how its schedule moves, and whether a ballot fits its questions.
 * Pure functions over plain data, so the rules are unit-tested without a database.
 */
import { z } from 'zod';
import { isoDateTime } from '../../lib/request-schemas.js';

export const POLL_STATUSES = ['draft', 'published', 'open', 'closed', 'results_published'] as const;
export type PollStatus = (typeof POLL_STATUSES)[number];

export const QUESTION_KINDS = ['single', 'multiple', 'scale', 'text'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export const VOTE_CHANNELS = ['page', 'widget', 'telegram'] as const;
export type VoteChannel = (typeof VOTE_CHANNELS)[number];

/** The schedule only moves forward; a published poll may go back to draft while nobody could vote yet. */
const NEXT: Record<PollStatus, readonly PollStatus[]> = {
  draft: ['published'],
  published: ['draft', 'open'],
  open: ['closed'],
  closed: ['results_published'],
  results_published: [],
};

export const canTransition = (from: PollStatus, to: PollStatus) => NEXT[from].includes(to);

const text = (max: number) => z.string().trim().min(1).max(max);

export const questionInputSchema = z.object({
  kind: z.enum(QUESTION_KINDS),
  text: text(1000),
  required: z.boolean().default(true),
  options: z.array(text(500)).max(50).default([]),
  scaleMin: z.number().int().min(0).max(10).optional(),
  scaleMax: z.number().int().min(1).max(10).optional(),
  maxChoices: z.number().int().min(1).max(50).optional(),
}).superRefine((q, ctx) => {
  if ((q.kind === 'single' || q.kind === 'multiple') && q.options.length < 2) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'a choice question needs at least two options' });
  }
  if ((q.kind === 'scale' || q.kind === 'text') && q.options.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${q.kind} question has no options` });
  }
  if (q.kind === 'scale' && (q.scaleMin ?? 1) >= (q.scaleMax ?? 5)) {
    ctx.addIssue({ code: 'custom', path: ['scaleMax'], message: 'scaleMax must be greater than scaleMin' });
  }
  if (new Set(q.options).size !== q.options.length) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'options must differ' });
  }
});
export type QuestionInput = z.infer<typeof questionInputSchema>;

export const pollInputSchema = z.object({
  title: text(500),
  description: z.string().trim().max(20_000).default(''),
  municipalities: z.array(text(300)).max(200).default([]),
  minAge: z.number().int().min(0).max(120).nullable().default(null),
  opensAt: isoDateTime.nullable().default(null),
  closesAt: isoDateTime.nullable().default(null),
  liveResults: z.boolean().default(true),
  questions: z.array(questionInputSchema).min(1).max(50),
}).refine((p) => !p.opensAt || !p.closesAt || Date.parse(p.opensAt) < Date.parse(p.closesAt), {
  path: ['closesAt'],
  message: 'closesAt must be after opensAt',
});
export type PollInput = z.infer<typeof pollInputSchema>;

export interface Option {
  id: string;
  text: string;
}
export interface Question {
  id: string;
  kind: QuestionKind;
  text: string;
  required: boolean;
  scaleMin: number;
  scaleMax: number;
  maxChoices: number | null;
  options: Option[];
}
export interface Poll {
  id: string;
  title: string;
  description: string;
  status: PollStatus;
  municipalities: string[];
  minAge: number | null;
  opensAt: string | null;
  closesAt: string | null;
  liveResults: boolean;
  version: number;
  questions: Question[];
}

export const answerSchema = z.object({
  questionId: z.uuid(),
  optionIds: z.array(z.uuid()).max(50).optional(),
  value: z.number().int().min(0).max(10).optional(),
  text: z.string().trim().min(1).max(5000).optional(),
});
export const ballotSchema = z.object({
  answers: z.array(answerSchema).min(1).max(50),
  municipality: z.string().trim().max(300).optional(),
  /** The voter states they meet the poll's age limit; ESIA would prove it. */
  ageConfirmed: z.boolean().optional(),
});
export type Ballot = z.infer<typeof ballotSchema>;

/** One stored answer row: a chosen option, a scale value or a free text (moderated before it is shown). */
export interface AnswerRow {
  questionId: string;
  optionId: string | null;
  value: number | null;
  text: string | null;
}

export type BallotCheck = { ok: true; rows: AnswerRow[] } | { ok: false; error: string };

/** Checks a ballot against the poll's questions and audience; the rows it returns are what gets stored. */
export function checkBallot(poll: Poll, ballot: Ballot): BallotCheck {
  if (poll.municipalities.length > 0) {
    if (!ballot.municipality) return { ok: false, error: 'Укажите ваш муниципалитет' };
    if (!poll.municipalities.includes(ballot.municipality)) return { ok: false, error: 'Голосование проводится только для жителей указанных муниципалитетов' };
  }
  if (poll.minAge && !ballot.ageConfirmed) return { ok: false, error: `Голосовать могут жители старше ${poll.minAge} лет: подтвердите возраст` };
  const byId = new Map(poll.questions.map((question) => [question.id, question]));
  const seen = new Set<string>();
  const rows: AnswerRow[] = [];
  for (const answer of ballot.answers) {
    const question = byId.get(answer.questionId);
    if (!question) return { ok: false, error: 'Вопрос не найден в этом голосовании' };
    if (seen.has(question.id)) return { ok: false, error: 'На каждый вопрос — один ответ' };
    seen.add(question.id);
    if (question.kind === 'single' || question.kind === 'multiple') {
      const ids = [...new Set(answer.optionIds ?? [])];
      if (ids.length === 0) continue;
      if (question.kind === 'single' && ids.length > 1) return { ok: false, error: `В вопросе «${question.text}» можно выбрать только один вариант` };
      if (question.maxChoices && ids.length > question.maxChoices) {
        return { ok: false, error: `В вопросе «${question.text}» можно выбрать не больше ${question.maxChoices}` };
      }
      const known = new Set(question.options.map((o) => o.id));
      if (ids.some((id) => !known.has(id))) return { ok: false, error: 'Вариант ответа не найден' };
      for (const id of ids) rows.push({ questionId: question.id, optionId: id, value: null, text: null });
    } else if (question.kind === 'scale') {
      if (answer.value === undefined) continue;
      if (answer.value < question.scaleMin || answer.value > question.scaleMax) {
        return { ok: false, error: `Оценка должна быть от ${question.scaleMin} до ${question.scaleMax}` };
      }
      rows.push({ questionId: question.id, optionId: null, value: answer.value, text: null });
    } else {
      if (!answer.text) continue;
      rows.push({ questionId: question.id, optionId: null, value: null, text: answer.text });
    }
  }
  for (const question of poll.questions) {
    if (question.required && !rows.some((r) => r.questionId === question.id)) return { ok: false, error: `Ответьте на вопрос «${question.text}»` };
  }
  if (rows.length === 0) return { ok: false, error: 'Пустой бюллетень' };
  return { ok: true, rows };
}

/** Whether a poll takes votes at `now`: open by status and inside its schedule. */
export function acceptsVotes(poll: Pick<Poll, 'status' | 'opensAt' | 'closesAt'>, now: Date): boolean {
  if (poll.status !== 'open') return false;
  if (poll.opensAt && now.getTime() < Date.parse(poll.opensAt)) return false;
  if (poll.closesAt && now.getTime() >= Date.parse(poll.closesAt)) return false;
  return true;
}

/** The analytics option key of an answer: the option id, or the scale value (question ids keep them apart). */
export const optionKey = (r: Pick<AnswerRow, 'optionId' | 'value'>) => r.optionId ?? (r.value !== null ? String(r.value) : '');
