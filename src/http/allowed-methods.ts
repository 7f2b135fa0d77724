import type { FastifyInstance } from 'fastify';
import Router, { type HTTPMethod } from 'find-my-way';

/**
 * A copy of the route table by path, so the not-found handler can tell "no such path" (404)
 * from "this path, another method" (405 with Allow). Fastify's own router only looks up one
 * method at a time and hasRoute/findRoute take route patterns, not request paths.
 */
export function trackAllowedMethods(app: FastifyInstance): (path: string) => string[] {
  const table = Router({ ignoreDuplicateSlashes: false, maxParamLength: 100 });
  const methods = new Set<HTTPMethod>();
  app.addHook('onRoute', (route) => {
    // A plugin's '/' route answers at its prefix with and without the slash, reported once.
    const urls = route.prefix && route.url === route.prefix ? [route.url, `${route.url}/`] : [route.url];
    for (const method of [route.method].flat()) {
      const upper = method.toUpperCase() as HTTPMethod;
      // Fastify answers HEAD wherever GET exists; a route reported twice is tracked once.
      for (const m of upper === 'GET' ? (['GET', 'HEAD'] as const) : [upper]) {
        for (const url of urls) {
          if (table.hasRoute(m, url)) continue;
          table.on(m, url, () => undefined);
          methods.add(m);
        }
      }
    }
  });
  return (path) => {
    const allowed = [...methods].filter((m) => table.find(m, path) !== null).sort();
    // The widget's catch-all CORS preflight route matches every path under it: on its own it
    // says nothing about whether the path exists.
    return allowed.some((m) => m !== 'OPTIONS') ? allowed : [];
  };
}
