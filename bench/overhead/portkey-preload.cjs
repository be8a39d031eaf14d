// Preloaded into Portkey's process (node -r) by the overhead benchmark.
//
// Portkey 1.15.2 appends its x-portkey-* headers to the Response it got from fetch. With @hono/node-server 1.14.3 or
// later (1.19 is what npm resolves for it here) that Response still carries fetch's immutable headers, and every
// streamed chat completion fails with "TypeError: immutable" (Portkey-AI/gateway issues #1389 and #1550; the fix in
// pull request #1551 copies the response the same way). Handing Portkey the upstream response with mutable headers
// is the smallest change that lets it stream; it costs one Headers copy per call and is applied to JSON calls too.
'use strict';

const upstreamFetch = globalThis.fetch;
globalThis.fetch = async function fetchWithMutableHeaders(input, init) {
  const response = await upstreamFetch(input, init);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
};
