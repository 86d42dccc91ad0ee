import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiBuilder } from './api-builder.js';
import { openApiDocument } from './openapi.js';

const auth = () => {};
const ok = async () => ({ body: {} });
const info = { title: 't', version: '1' };
type Op = { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>; security?: unknown;
  parameters?: { name: string; in: string; required: boolean }[] };
const op = (doc: Record<string, unknown>, path: string, method: string) => (doc.paths as Record<string, Record<string, Op>>)[path]![method]!;

describe('the OpenAPI document of ApiBuilders', () => {
  it('states the refusals a declaration implies and those it declares, nothing guessed from the path', () => {
    const api = new ApiBuilder(auth);
    api.route({ method: 'post', path: '/api/v1/things/:id/move', tag: 't', summary: 's', params: z.object({ id: z.uuid() }), body: z.object({ to: z.string() }),
      bodyLimit: 16 * 1024, status: 202, response: z.object({ moved: z.boolean() }), errors: { 404: 'No such thing', 409: 'Moved already' } }, ok);
    api.route({ method: 'get', path: '/api/v1/things/:id', tag: 't', summary: 's', auth: false, errors: [] }, ok);
    const doc = openApiDocument([api], info);
    const move = op(doc, '/api/v1/things/{id}/move', 'post');
    expect(Object.keys(move.responses).sort()).toEqual(['202', '400', '401', '403', '404', '409', '413']);
    expect(move.responses['404']).toMatchObject({ description: 'No such thing' });
    expect(move.responses['413']).toMatchObject({ description: expect.stringContaining('16 KiB') });
    expect(move.responses['202']!.content!['application/json']!.schema).toMatchObject({ properties: { moved: { type: 'boolean' } } });
    expect(move.security).toEqual([{ bearer: [] }]);
    expect(move.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ format: 'uuid' }) }]);
    // A public route without input or declared refusals answers nothing but its success (no 404 for ":id").
    expect(Object.keys(op(doc, '/api/v1/things/{id}', 'get').responses)).toEqual(['200']);
    expect(op(doc, '/api/v1/things/{id}', 'get').security).toBeUndefined();
  });

  it('guesses nothing from the path: a case action or a user creation states what it declares and no more', () => {
    const api = new ApiBuilder(auth);
    api.route({ method: 'post', path: '/api/v1/cases/:id/accept', tag: 'cases', summary: 's', params: z.object({ id: z.uuid() }), errors: [] }, ok);
    api.route({ method: 'post', path: '/api/v1/users', tag: 'users', summary: 's', body: z.object({ login: z.string() }), status: 201,
      errors: { 409: 'Taken' } }, ok);
    const doc = openApiDocument([api], info);
    expect(Object.keys(op(doc, '/api/v1/cases/{id}/accept', 'post').responses).sort()).toEqual(['200', '400', '401', '403']);
    expect(Object.keys(op(doc, '/api/v1/users', 'post').responses).sort()).toEqual(['201', '400', '401', '403', '409', '413']);
  });

  it('describes files and channel credentials, and joins builders with the first declaration winning', () => {
    const first = new ApiBuilder();
    first.route({ method: 'post', path: '/webhooks/x', tag: 'c', summary: 'first', auth: false, credential: 'telegramSecret',
      produces: { 'text/plain': '"ok"' }, errors: [403], otherResponses: { 503: { description: 'down', schema: z.object({ down: z.array(z.string()) }) } } },
      ok);
    const second = new ApiBuilder(auth);
    second.route({ method: 'post', path: '/webhooks/x', tag: 'c', summary: 'second', errors: [] }, ok);
    second.route({ method: 'get', path: '/files/:name.svg', tag: 'c', summary: 's', params: z.object({ name: z.string() }),
      produces: { 'image/svg+xml': 'a chart', 'application/vnd.ms-excel': 'a sheet' }, errors: [] }, ok);
    const doc = openApiDocument([first, second], info);
    const hook = op(doc, '/webhooks/x', 'post') as Op & { summary: string };
    expect(hook.summary).toBe('first');
    expect(hook.security).toEqual([{ telegramSecret: [] }]);
    expect(hook.responses['200']!.content!['text/plain']!.schema).toEqual({ type: 'string', description: '"ok"' });
    expect(hook.responses['503']!.content!['application/json']!.schema).toMatchObject({ properties: { down: { type: 'array' } } });
    expect((doc.components as { securitySchemes: object }).securitySchemes).toHaveProperty('telegramSecret');
    const file = op(doc, '/files/{name}.svg', 'get');
    expect(file.responses['200']!.content!['application/vnd.ms-excel']!.schema).toMatchObject({ format: 'binary' });
  });

  it('finds the builder of a router, and refuses a route needing auth on a builder without it', () => {
    const api = new ApiBuilder();
    expect(ApiBuilder.of(api.router)).toBe(api);
    expect(() => ApiBuilder.of(new ApiBuilder().router.stack as never)).toThrow();
    expect(() => api.route({ method: 'get', path: '/x', tag: 't', summary: 's', errors: [] }, ok)).toThrow(/no auth middleware/);
  });
});
