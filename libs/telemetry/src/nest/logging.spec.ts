import type { IncomingMessage, ServerResponse } from 'node:http';
import { loggingParams } from './logging';

describe(loggingParams.name, () => {
  const customProps = (headers: Record<string, string>) => {
    const options = loggingParams('info').pinoHttp as { customProps: (request: IncomingMessage, response: ServerResponse) => object };
    return options.customProps({ headers } as IncomingMessage, {} as ServerResponse);
  };

  it('takes the trace id from the client’s traceparent header when no tracing SDK runs', () => {
    expect(customProps({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(customProps({ traceparent: 'not a traceparent' })).toEqual({});
    expect(customProps({})).toEqual({});
  });
});
