-- The gate every vote passes, so a vote is one statement (one round trip) instead of a transaction of seven.
-- It takes the shared side of the poll's advisory lock (closing takes it exclusively, see transitionPoll) and only
-- then reads the poll. It must be a VOLATILE function: in READ COMMITTED each query inside one gets a fresh
-- snapshot, so a close that committed while the vote waited for the lock is seen. Read in the calling statement
-- itself, the row would come from the snapshot taken before the wait and a vote could land after the close.
-- `accepts` mirrors acceptsVotes() in workflow/polls/model.ts.
create function poll_vote_gate(p_poll uuid, p_now timestamptz)
  returns table (accepts boolean, version int)
  language plpgsql volatile
as $$
begin
  perform pg_advisory_xact_lock_shared(hashtextextended(p_poll::text, 7031));
  return query
    select p.status = 'open' and (p.opens_at is null or p.opens_at <= p_now) and (p.closes_at is null or p.closes_at > p_now),
           p.version
      from polls p where p.id = p_poll;
end
$$;
