import type { ClickHouseClient } from '@clickhouse/client';

export interface Summary {
  byCategory: { category: string; count: number }[];
  bySource: { source: string; count: number }[];
}

/** Messages by category (classified events) and by source (received events); FINAL collapses re-emitted events. */
export async function summary(ch: ClickHouseClient, range: { from?: string; to?: string } = {}): Promise<Summary> {
  const params = { from: range.from ?? '1970-01-01 00:00:00', to: range.to ?? '2100-01-01 00:00:00' };
  const [byCategory, bySource] = await Promise.all([
    ch.query({
      query: `SELECT category, toUInt32(count()) AS count FROM events FINAL
              WHERE type = 'message.classified' AND at >= {from:DateTime64(3)} AND at < {to:DateTime64(3)}
              GROUP BY category ORDER BY count DESC, category`,
      query_params: params,
      format: 'JSONEachRow',
    }),
    ch.query({
      query: `SELECT source, toUInt32(count()) AS count FROM events FINAL
              WHERE type = 'message.received' AND at >= {from:DateTime64(3)} AND at < {to:DateTime64(3)}
              GROUP BY source ORDER BY count DESC, source`,
      query_params: params,
      format: 'JSONEachRow',
    }),
  ]);
  return {
    byCategory: (await byCategory.json<{ category: string; count: number }>()).map((r) => ({ category: r.category, count: Number(r.count) })),
    bySource: (await bySource.json<{ source: string; count: number }>()).map((r) => ({ source: r.source, count: Number(r.count) })),
  };
}
