/**
 * The demo's two polls: one that ran a month ago (closed, results published) and one open now, with votes cast
 * through the ballot box the way the Telegram bot casts them (a Telegram user is an identity Telegram verified).
 */
import type { Otklik } from '../main.js';
import { POLLS, type Random } from './content.js';
import type { DemoApi } from './api.js';
import type { Step } from './run.js';
import { DAY_MS } from '../lib/time.js';

const DAY = DAY_MS;

interface PollAnswer {
  id: string;
  version: number;
  questions: { id: string; options: { id: string }[] }[];
}

export async function runPolls(system: Otklik, api: DemoApi, r: Random, opts: { start: number; days: number }): Promise<{ count: number; steps: Step[] }> {
  const windows = [
    { opens: opts.start + 5 * DAY, closes: opts.start + 25 * DAY, voters: 140 },
    { opens: opts.start + (opts.days - 12) * DAY, closes: opts.start + (opts.days + 20) * DAY, voters: 90 },
  ];
  const steps: Step[] = [];
  for (const [i, p] of POLLS.entries()) {
    const w = windows[i]!;
    const created = await api.call('demo.admin', 'POST', '/api/v1/polls', {
      title: p.title,
      description: p.description,
      municipalities: p.municipalities,
      opensAt: new Date(w.opens).toISOString(),
      closesAt: new Date(w.closes).toISOString(),
      questions: [{ kind: 'single', text: p.question, options: p.options }],
    });
    if (created.status !== 201) throw new Error(`demo: poll not created: ${JSON.stringify(created.body)}`);
    let poll = created.body as unknown as PollAnswer;
    const move = async (to: string) => {
      const moved = await api.call('demo.admin', 'POST', `/api/v1/polls/${poll.id}/status`, { to, expectedVersion: poll.version });
      if (moved.status === 200) poll = moved.body as unknown as PollAnswer;
    };
    await move('published');
    await move('open');
    const question = poll.questions[0]!;
    // Opinions lean one way, as real ones do: earlier options are likelier.
    const weights = question.options.map((_, k) => question.options.length - k + 1);
    const total = weights.reduce((a, b) => a + b, 0);
    for (let v = 0; v < w.voters; v++) {
      let x = r.next() * total;
      const option = question.options.find((_, k) => (x -= weights[k]!) < 0) ?? question.options[0]!;
      const fromId = 7_000_000 + i * 100_000 + v;
      const at = w.opens + r.next() * (Math.min(w.closes, opts.start + opts.days * DAY) - w.opens);
      steps.push({ at, run: async () =>
        void (await system.polls.ballotBox.voteFromTelegram({ pollId: poll.id, questionId: question.id, optionId: option.id, proof: { fromId, isBot: false },
          municipality: p.municipalities[0] })) });
    }
    if (w.closes < opts.start + opts.days * DAY) {
      steps.push({ at: w.closes + DAY / 2, run: () => move('closed') });
      steps.push({ at: w.closes + DAY, run: () => move('results_published') });
    }
  }
  return { count: POLLS.length, steps };
}
