// The part of autocannon 8's programmatic API the overhead benchmark uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  function autocannon(options: autocannon.Options, callback: (error: Error | null, result: autocannon.Result) => void): autocannon.Instance;

  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Called with every response; `headers` is a plain object of the response headers. */
      onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
    }

    interface Options {
      url: string;
      connections?: number;
      pipelining?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds a request may take before it counts as a timeout. */
      timeout?: number;
      requests?: Request[];
      /** A false answer counts the response as a mismatch (it still counts as its status class). */
      verifyBody?: (body: string) => boolean;
    }

    interface Result {
      '2xx': number;
      non2xx: number;
      errors: number;
      timeouts: number;
      mismatches: number;
      resets: number;
      /** Seconds. */
      duration: number;
      statusCodeStats: Record<string, { count: number }>;
    }

    /** Emits `response` (client, statusCode, resBytes, responseTimeMs) for every completed response. */
    interface Instance extends EventEmitter {
      stop(): void;
    }
  }

  export = autocannon;
}
