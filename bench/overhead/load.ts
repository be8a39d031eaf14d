/** One cell of load: autocannon at a fixed concurrency for a fixed time against one target, latencies kept to the µs. */
import autocannon from 'autocannon';
import { answerLooksServed, chatBody, type Mode, type PromptKind } from './workload';

export interface LoadTarget {
  name: string;
  /** http://127.0.0.1:port */
  baseUrl: string;
  /** Path of the chat completions endpoint on that server. */
  path: string;
  /** The model name this target expects. */
  model: string;
  headers: Record<string, string>;
}

export interface CellLoad {
  concurrency: number;
  mode: Mode;
  prompt: PromptKind;
  durationS: number;
}

export interface LoadOutcome {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodes: Record<string, number>;
  durationS: number;
  /** Full-response latency of every 2xx response, in ms (autocannon's own histogram rounds to whole ms). */
  latenciesMs: number[];
  /** x-request-id of every 2xx response (Attest sets it; the audit check needs it). */
  requestIds: string[];
  /** x-attest-overhead-ms of every 2xx response that carried it. */
  reportedOverheadMs: number[];
}

export function runLoad(target: LoadTarget, cell: CellLoad): Promise<LoadOutcome> {
  const latenciesMs: number[] = [];
  const requestIds: string[] = [];
  const reportedOverheadMs: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.baseUrl,
        connections: cell.concurrency,
        pipelining: 1,
        duration: cell.durationS,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: target.path,
            headers: { 'content-type': 'application/json', ...target.headers },
            body: chatBody(target.model, cell.prompt, cell.mode),
            onResponse: (status, _body, _context, headers) => {
              if (status < 200 || status >= 300) return;
              const id = headers['x-request-id'];
              if (id) requestIds.push(id);
              const overhead = headers['x-attest-overhead-ms'];
              if (overhead) reportedOverheadMs.push(Number(overhead));
            },
          },
        ],
        verifyBody: (body) => answerLooksServed(cell.mode, body),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          ok: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          mismatches: result.mismatches,
          statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count])),
          durationS: result.duration,
          latenciesMs,
          requestIds,
          reportedOverheadMs,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
    });
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  // Nearest rank, as HdrHistogram and autocannon report it.
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
