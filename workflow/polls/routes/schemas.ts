/** Input schemas the polls route modules share. */
import { z } from 'zod';

export const idParams = z.object({ id: z.uuid() });
export const page = { limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) };
