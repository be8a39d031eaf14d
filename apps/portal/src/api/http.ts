import { z } from 'zod';

/** What the gateway answers on an error (OpenAI's error envelope, which every Attest route uses). */
const errorBodySchema = z.object({ error: z.object({ message: z.string(), code: z.string().nullable().optional() }) });

/** A refused or failed API call, with the gateway's stable code and a message that is safe to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  const parsed = errorBodySchema.safeParse(await response.json().catch(() => null));
  if (parsed.success) return new ApiError(response.status, parsed.data.error.code ?? 'error', parsed.data.error.message);
  return new ApiError(response.status, 'error', `The server answered ${response.status}. Try again; if it persists, check the gateway log.`);
}

/**
 * Calls the gateway with the session cookie (the browser sends it; scripts cannot read it) and checks the answer
 * against `schema`. Unsafe methods carry `x-attest-request`: a custom header forces a CORS preflight that the gateway
 * never grants, so another site cannot make a signed-in browser change anything (OWASP CSRF cheat sheet).
 */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
  const response = await send(method, path, body, 'application/json');
  const parsed = schema.safeParse(response.status === 204 ? null : await response.json());
  if (!parsed.success) throw new ApiError(response.status, 'unexpected_response', 'The gateway answered in a shape this portal does not understand: reload the page.');
  return parsed.data;
}

/** One call with the session cookie; a refusal or an unreachable gateway becomes an ApiError. */
async function send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body: unknown, accept?: string): Promise<Response> {
  const headers: Record<string, string> = accept ? { accept } : {};
  if (method !== 'GET') headers['x-attest-request'] = 'portal';
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch {
    throw new ApiError(0, 'network', 'The gateway cannot be reached. Check that it is running, then try again.');
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** A file the gateway sends (an evidence bundle): the bytes and the response headers that describe them; GET without a body. */
export async function download(path: string, body?: unknown): Promise<{ blob: Blob; headers: Headers }> {
  const response = await send(body === undefined ? 'GET' : 'POST', path, body);
  return { blob: await response.blob(), headers: response.headers };
}
