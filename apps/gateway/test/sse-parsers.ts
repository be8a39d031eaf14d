import { _iterSSEMessages } from 'openai/core/streaming';

// Two independent readers of a server-sent event stream, for the specs that check how the gateway frames its answers.

/**
 * The WHATWG event-stream parser (HTML Living Standard, "Parsing an event stream"): lines end at CRLF, LF or CR; a
 * leading BOM is skipped; `data` lines accumulate; an empty line dispatches. Fed in arbitrary byte pieces.
 */
export function parseEventStream(pieces: readonly Uint8Array[]): { event: string; data: string }[] {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  for (const piece of pieces) text += decoder.decode(piece, { stream: true });
  text += decoder.decode();
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const events: { event: string; data: string }[] = [];
  let data: string[] = [];
  let event = '';
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length > 0) events.push({ event: event || 'message', data: data.join('\n') });
      data = [];
      event = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    if (field === 'event') event = value;
  }
  return events;
}

/** The openai SDK's own SSE decoder, fed the same byte pieces through a streamed Response. */
export async function parseWithOpenAiClient(pieces: readonly Uint8Array[]): Promise<{ event: string | null; data: string }[]> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  const events: { event: string | null; data: string }[] = [];
  for await (const message of _iterSSEMessages(new Response(body), new AbortController())) events.push({ event: message.event, data: message.data });
  return events;
}

/** Cuts `bytes` at the given positions (modulo its length), as TCP may deliver them, even inside a character. */
export function splitBytes(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const positions = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const position of [...positions, bytes.length]) {
    pieces.push(bytes.subarray(start, position));
    start = position;
  }
  return pieces;
}
