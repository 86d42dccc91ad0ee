/**
 * The routes an Express app actually registered, read from its router stack: for 405 answers with `Allow`, and for
 * the test that holds the OpenAPI document to the routes served. Reads the `router` package's layers (Express 5):
 * a route layer has `route.path`, `route.methods` and pure `matchers`; a router mounted with `use(router)` is a
 * layer at `/` whose handle has its own `stack`. Routers mounted under a path (the queue board) are their own
 * world and are left out.
 */
import type { Router } from 'express';

export interface RegisteredRoute {
  /** Express style (`/api/v1/cases/:id`). */
  path: string;
  /** Upper case, as registered (no implied HEAD). */
  methods: string[];
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  slash?: boolean;
  matchers?: ((path: string) => unknown)[];
  handle?: { stack?: Layer[] };
}

function* routeLayers(stack: Layer[]): Generator<Layer & { route: NonNullable<Layer['route']> }> {
  for (const layer of stack) {
    if (layer.route) yield layer as Layer & { route: NonNullable<Layer['route']> };
    else if (layer.slash && Array.isArray(layer.handle?.stack)) yield* routeLayers(layer.handle.stack);
  }
}

const methodsOf = (route: NonNullable<Layer['route']>) =>
  Object.keys(route.methods).filter((m) => m !== '_all' && route.methods[m]).map((m) => m.toUpperCase());

/** Every route of the router and the routers mounted on it at `/`, in registration order. */
export function registeredRoutes(router: Router): RegisteredRoute[] {
  const out: RegisteredRoute[] = [];
  for (const layer of routeLayers((router as unknown as { stack: Layer[] }).stack)) {
    for (const path of [layer.route.path].flat()) {
      if (typeof path === 'string') out.push({ path, methods: methodsOf(layer.route) });
    }
  }
  return out;
}

/**
 * The methods some route answers at this path, sorted; empty when no route matches it. GET implies HEAD, and
 * Express answers OPTIONS at every path a route serves.
 */
export function allowedMethods(router: Router, path: string): string[] {
  const allowed = new Set<string>();
  for (const layer of routeLayers((router as unknown as { stack: Layer[] }).stack)) {
    if (!layer.matchers?.some((match) => match(path))) continue;
    for (const m of methodsOf(layer.route)) allowed.add(m);
  }
  if (allowed.size === 0) return [];
  if (allowed.has('GET')) allowed.add('HEAD');
  return [...allowed.add('OPTIONS')].sort();
}
