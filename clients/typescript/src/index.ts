// The Healthcare Backend API client: openapi-fetch over the types openapi-typescript generates from the
// API's OpenAPI document (src/schema.ts, regenerated with `make clients`; never edited by hand).
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";

/** Every error answer: RFC 9457 problem details with traceId, requestId and, for 400, errors per field. */
export type Problem = components["schemas"]["Problem"];

export type HealthcareClient = Client<paths>;

export interface HealthcareClientOptions {
  /** The API's base address, e.g. http://localhost:8088 */
  baseUrl: string;
  /** The current access token, asked for on every request; undefined sends none. */
  accessToken?: () => string | undefined;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

/** A typed client: paths, parameters, bodies and answers (errors included) come from the document. */
export function createHealthcareClient(options: HealthcareClientOptions): HealthcareClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const bearer: Middleware = {
    onRequest({ request }) {
      const token = options.accessToken?.();
      if (token) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      return request;
    },
  };
  client.use(bearer);
  return client;
}
