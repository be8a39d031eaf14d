import { HttpException, Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { toErrorResponse } from './error-response';
import { isScimRequest, toScimErrorResponse } from './scim-error-response';

const logger = new Logger('errors');

/**
 * Answers errors that Fastify raises for a route before Nest runs it (a body that is empty, not JSON, too large, of
 * the wrong media type) in OpenAI's error shape, like every other error. Nest installs its own handler only after
 * its routes exist, so those routes would otherwise answer with Fastify's `{statusCode, code, error, message}`.
 * Mounted on each route through an `onRoute` hook.
 */
export function routeErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // The client went away mid-body (or was cut off as too slow): there is no one to answer and nothing went wrong here.
  if (request.raw.destroyed || reply.raw.destroyed) return;
  const response = isScimRequest(request.url) ? toScimErrorResponse(error) : toErrorResponse(error);
  if (response.status >= 500) logger.error(error.stack ?? String(error));
  void reply.status(response.status).headers(response.headers ?? {}).send(response.body);
}

/**
 * Node's `clientError`: a request that is not valid HTTP (control characters or bare CR in a header, a malformed
 * request line), headers over the size limit, or a client too slow to send its request (headers or request timeout).
 * The answer is written straight to the socket, in OpenAI's error shape, and the connection is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const message = status === 400 ? 'The request is not valid HTTP.' : (STATUS_CODES[status] ?? 'Bad Request');
  const json = JSON.stringify(toErrorResponse(new HttpException(message, status)).body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}
