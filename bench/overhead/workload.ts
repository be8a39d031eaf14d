/** What every target is asked, and what the mock upstream answers: the same for all, so only the path differs. */

export const MOCK_ANSWER = 'The sky looks blue because air scatters the short blue wavelengths of sunlight far more than the red ones.';
export const MOCK_USAGE = { promptTokens: 24, completionTokens: 21 };

/** A realistic short request with no personal data in it. */
export const PLAIN_PROMPT = 'In two sentences, explain why the sky is blue during the day and turns red at sunset.';
export const PII_EMAIL = 'jane.doe@example.com';
/** The same kind of request with an e-mail address: Attest redacts it before it leaves for the remote model. */
export const PII_PROMPT = `Draft a two-line reply to ${PII_EMAIL} confirming that the quarterly review moves to next week.`;

export type PromptKind = 'plain' | 'pii';
export type Mode = 'json' | 'sse';

export function chatBody(model: string, prompt: PromptKind, mode: Mode): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: prompt === 'pii' ? PII_PROMPT : PLAIN_PROMPT }],
    max_tokens: 64,
    ...(mode === 'sse' ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

/**
 * A cheap check that a 2xx answer is a real one: a JSON body carries the answer, a stream ends with `[DONE]` and no
 * error frame (a gateway that fails mid-stream has already sent 200).
 */
export function answerLooksServed(mode: Mode, body: string): boolean {
  if (mode === 'sse') return body.includes('data: [DONE]') && !body.includes('"error"');
  return body.includes('"choices"') && body.includes('sky looks blue');
}
