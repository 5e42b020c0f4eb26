// Minimal method + path router; `:name` captures one path segment up to a dot (`:sid.json`).
import { notFound, TwilioError } from "./errors.ts";
export type Params = Record<string, string>;
export type Handler<C> = (ctx: C, params: Params) => Response | Promise<Response>;

interface Route<C> {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler<C>;
}

export class Router<C> {
  #routes: Route<C>[] = [];

  on(method: string, path: string, handler: Handler<C>): this {
    const names: string[] = [];
    const source = path.split(/(:[A-Za-z]+)/).map((part) => {
      if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(part.slice(1));
      return "([^/.]+)";
    }).join("");
    this.#routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /** The handler for the request, or a Twilio 404 20404 / 405 20004 error. */
  resolve(method: string, path: string): { handler: Handler<C>; params: Params } {
    let pathMatched = false;
    for (const route of this.#routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, found[i + 1]]));
      return { handler: route.handler, params };
    }
    if (pathMatched) throw new TwilioError(405, 20004, "Method not allowed");
    throw notFound(path);
  }
}
