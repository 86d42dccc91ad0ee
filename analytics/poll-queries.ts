/**
 * The poll panels: turnout, results and the public tally. Votes a moderator quarantined leave every count (see
 * VOTE_STATE_ROWS); the statements share queries.ts's bound filters.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { ALL_TIME, dims, type Filters, filterParams, FROM_TO, round, type Row, rows } from './queries.js';

/** Turnout per poll: votes, distinct participants (by author hash) and the municipalities they came from. */
export async function pollTurnout(ch: ClickHouseClient, f: Filters, opts: { limit: number }): Promise<Row[]> {
  const result = await rows(ch, `
    SELECT toString(poll_id) AS poll, count() AS votes, uniqExact(voter) AS participants,
           -- uniqExact over a LowCardinality column measured 3× slower than collecting the few distinct values.
           length(groupUniqArray(municipality)) AS municipalities, toString(min(at)) AS first_at, toString(max(at)) AS last_at
    FROM poll_votes
    WHERE ${FROM_TO} AND ${dims({ ...f, source: undefined, category: undefined })}
    GROUP BY poll_id
    ORDER BY votes DESC, poll
    LIMIT {limit:UInt32}`, { ...filterParams(f), limit: opts.limit });
  const corrections = await voteStateCorrections(ch, f, result.map((r) => String(r.poll)));
  return result.map((r) => {
    const c = corrections.get(String(r.poll));
    return {
      poll: String(r.poll),
      votes: Number(r.votes) - (c?.votes ?? 0),
      participants: Number(r.participants) - (c?.voters ?? 0),
      municipalities: Number(r.municipalities),
      firstAt: String(r.first_at),
      lastAt: String(r.last_at),
    };
  }).sort((a, b) => b.votes - a.votes || (a.poll < b.poll ? -1 : a.poll > b.poll ? 1 : 0));
}

/**
 * Votes quarantined by moderators leave the counts. A quarantine or release is a later `vote.cast` event of the same
 * vote (props.voteId) with status 'quarantined' / 'released', the cast's `at` and an increasing props.seq, so
 * poll_votes holds one extra row per state change. These rare events are a key-pruned read (status is in the sort
 * key): per vote option, subtract its state rows, plus the cast itself when the latest state is 'quarantined'.
 */
const VOTE_STATE_ROWS = `
    SELECT toString(poll_id) AS poll, toString(question_id) AS question, toString(option_id) AS option, any(author_hash) AS voter,
           toInt64(count()) + toInt64(argMax(status, toUInt64OrZero(props['seq'])) = 'quarantined') AS minus,
           argMax(status, toUInt64OrZero(props['seq'])) = 'quarantined' AS out
    FROM events
    WHERE type = 'vote.cast' AND status IN ('quarantined', 'released') AND poll_id IN {polls:Array(String)}
      AND ${FROM_TO} AND ({municipality:String} = '' OR municipality = {municipality:String})
    GROUP BY poll_id, question_id, option_id, props['voteId']`;

async function voteStateCorrections(ch: ClickHouseClient, f: Filters, polls: string[]): Promise<Map<string, { votes: number; voters: number }>> {
  if (polls.length === 0) return new Map();
  const result = await rows(ch, `
    SELECT poll, sum(minus) AS votes, uniqExactIf(voter, out) AS voters FROM (${VOTE_STATE_ROWS}) GROUP BY poll`, { ...filterParams(f), polls });
  return new Map(result.map((r) => [String(r.poll), { votes: Number(r.votes), voters: Number(r.voters) }]));
}

/** One poll's results: votes per option and the option's share within its question. */
export async function pollResults(ch: ClickHouseClient, pollId: string, f: Filters): Promise<Row[]> {
  const result = await rows(ch, `
    SELECT question, option, votes, votes / sum(votes) OVER (PARTITION BY question) AS share FROM (
      SELECT question, option, sum(n) AS votes FROM (
        SELECT toString(question_id) AS question, toString(option_id) AS option, toInt64(count()) AS n
        FROM poll_votes
        WHERE poll_id = {poll:String} AND ${FROM_TO} AND ${dims({ ...f, source: undefined, category: undefined })}
        GROUP BY question_id, option_id
        UNION ALL
        SELECT question, option, -sum(minus) AS n FROM (${VOTE_STATE_ROWS}) GROUP BY question, option)
      GROUP BY question, option
      HAVING votes > 0)
    ORDER BY question, votes DESC, option`, { ...filterParams(f), poll: pollId, polls: [pollId] });
  return result.map((r) => ({ question: String(r.question), option: String(r.option), votes: Number(r.votes), share: round(Number(r.share), 4) }));
}

/** A poll's counted votes over all time, per question and option key: what its public results show. */
export async function pollTally(ch: ClickHouseClient, pollId: string): Promise<{ question: string; option: string; votes: number; share: number }[]> {
  return (await pollResults(ch, pollId, ALL_TIME)).map((r) => ({ question: String(r.question), option: String(r.option), votes: Number(r.votes),
    share: Number(r.share) })
  );
}

/**
 * Turnout of one poll by municipality and by channel (props.channel: page, widget, telegram): distinct voters whose
 * vote's latest state is not quarantined. One poll's events are few, so this reads events directly.
 */
export async function pollTurnoutBreakdown(ch: ClickHouseClient,
  pollId: string): Promise<{ dimension: 'municipality' | 'channel'; value: string; voters: number }[]>
{
  const result = await rows(ch, `
    SELECT dimension, value, uniqExact(voter) AS voters FROM (
      SELECT any(author_hash) AS voter, any(municipality) AS m, any(props['channel']) AS c
      FROM events
      WHERE type = 'vote.cast' AND poll_id = {poll:String}
      GROUP BY if(props['voteId'] = '', toString(event_id), props['voteId'])
      HAVING argMax(status, toUInt64OrZero(props['seq'])) != 'quarantined')
    ARRAY JOIN ['municipality', 'channel'] AS dimension, [toString(m), toString(c)] AS value
    GROUP BY dimension, value
    ORDER BY dimension, voters DESC, value`, { poll: pollId });
  return result.map((r) => ({ dimension: String(r.dimension) as 'municipality' | 'channel', value: String(r.value), voters: Number(r.voters) }));
}
