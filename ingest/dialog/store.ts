import type pg from 'pg';
import type { Attachment } from '../../lib/queues.js';

export type DialogState = 'describe' | 'details' | 'confirm' | 'idle';

/** The appeal a citizen is putting together; ids keep the network's own type (Telegram numbers, MAX strings). */
export interface Draft {
  text?: string;
  /** The citizen's description message: the appeal's id derives from it, and the reply quotes it. */
  textMessageId?: number | string;
  address?: string;
  lat?: number;
  lon?: number;
  attachments?: Attachment[];
  name?: string;
  userId?: number | string;
}

export interface DialogStore {
  load(chatId: string): Promise<{ state: DialogState; draft: Draft }>;
  save(chatId: string, state: DialogState, draft: Draft): Promise<void>;
}

/** The citizen bots' conversations live in PostgreSQL rather than in memory, so a restart mid-dialog loses nothing. */
export function createDialogStore(db: pg.Pool, network: string): DialogStore {
  return {
    async load(chatId) {
      const r = await db.query<{ state: DialogState; draft: Draft }>('select state, draft from bot_dialogs where network = $1 and chat_id = $2', [network,
        chatId]);
      return r.rows[0] ?? { state: 'idle', draft: {} };
    },
    async save(chatId, state, draft) {
      await db.query(
        `insert into bot_dialogs (network, chat_id, state, draft, updated_at) values ($1, $2, $3, $4, now())
         on conflict (network, chat_id) do update set state = excluded.state, draft = excluded.draft, updated_at = now()`,
        [network, chatId, state, JSON.stringify(draft)],
      );
    },
  };
}
