import { type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** A request body that does not match the documented schema (400 invalid_request_error, `param` names the field). */
export class RequestValidationError extends Error {
  constructor(
    message: string,
    readonly param: string | null,
    readonly code: 'missing_required_parameter' | 'invalid_value' | 'invalid_body',
  ) {
    super(message);
    this.name = 'RequestValidationError';
  }
}

/** Validates a body with a zod schema from @attest/contracts; the first problem becomes the error. */
export class ZodBodyPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.output<T> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RequestValidationError('The request body must be a JSON object.', null, 'invalid_body');
    }
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const param = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
    const missing = issue?.code === 'invalid_type' && (value as Record<string, unknown>)[String(issue.path[0])] === undefined && issue.path.length === 1;
    const message = missing ? `Missing required parameter: '${param ?? ''}'.` : `Invalid '${param ?? 'body'}': ${issue?.message ?? 'invalid value'}.`;
    throw new RequestValidationError(message, param, missing ? 'missing_required_parameter' : 'invalid_value');
  }
}
