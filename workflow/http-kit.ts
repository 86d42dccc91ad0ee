export { ApiBuilder, HttpError, type Ctx, type RouteDef } from '../lib/api-builder.js';
