/** Input schemas the polls route modules share. */
import { z } from 'zod';
import { pgIntParam } from '../../../lib/request-schemas.js';

export const idParams = z.object({ id: z.uuid() });
export const page = { limit: pgIntParam.min(1).max(500).default(50), offset: pgIntParam.min(0).default(0) };
