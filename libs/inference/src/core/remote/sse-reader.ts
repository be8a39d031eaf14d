/**
 * Reads a `text/event-stream` body (WHATWG HTML §9.2) and yields the `data` of each event; OpenAI-compatible servers
 * send one JSON chunk per event and a final `[DONE]`.
 */
export async function* readServerSentEvents(body: AsyncIterable<Uint8Array>, onBytes?: () => void): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  for await (const bytes of body) {
    onBytes?.();
    buffer += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
      // Comments (`:`), `event:`, `id:` and `retry:` lines carry nothing an OpenAI client uses.
    }
  }
  if (data.length > 0) yield data.join('\n');
}
