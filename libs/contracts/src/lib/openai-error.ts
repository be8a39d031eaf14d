import { z } from 'zod';

/**
 * The error envelope OpenAI's API returns, which every client library already parses.
 * `code` carries Attest's stable error code.
 */
export const openAiErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
});

export type OpenAiError = z.infer<typeof openAiErrorSchema>;

export function openAiError(message: string, type: string, code: string | null, param: string | null = null): OpenAiError {
  return { error: { message, type, param, code } };
}
