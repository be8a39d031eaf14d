import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1), or undefined. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(authorization ?? '');
  return match?.[1];
}

/**
 * Whether the presented SCIM token is the configured one. Both sides are hashed first so the comparison is constant
 * time whatever their lengths (timingSafeEqual needs equal lengths; comparing digests leaks neither length nor prefix).
 */
export function scimTokenMatches(presented: string | undefined, configured: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(configured));
}
