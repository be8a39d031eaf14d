import { PatternRecognizer, type PatternVerdict } from './pattern-recognizer';
import { shannonEntropy } from './validators';

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A long run of token characters is a secret when it looks random: letters and digits mixed, and high Shannon entropy.
 * UUIDs, hex digests and words joined by dashes stay below the threshold; context words ("token", "key") lift the
 * weaker candidates over the line.
 */
function judgeToken(value: string): PatternVerdict {
  if (uuidShape.test(value) || !/\d/.test(value) || !/[A-Za-z]/.test(value)) return false;
  const entropy = shannonEntropy(value);
  const mixedCase = /[a-z]/.test(value) && /[A-Z]/.test(value);
  if (mixedCase && entropy >= 4.2) return 0.6;
  if (entropy >= 3.6) return 0.3;
  return false;
}

/** Secrets: cloud keys, private key blocks, JWTs, well-known API token formats and high-entropy tokens. */
export const secretRecognizer = new PatternRecognizer(
  'secrets',
  [
    { type: 'AWS_ACCESS_KEY', regex: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z2-7]{16}\b/g, score: 1 },
    {
      // RFC 7468 textual encoding; the body is bounded so a missing END line cannot make the scan quadratic.
      type: 'PRIVATE_KEY',
      regex:
        /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----[\s\S]{1,16384}?-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g,
      score: 1,
    },
    // RFC 7519 compact serialisation: base64url header and payload that both start with '{"'.
    { type: 'JWT', regex: /\beyJ[A-Za-z0-9_-]{4,4096}\.eyJ[A-Za-z0-9_-]{4,8192}\.[A-Za-z0-9_-]{0,1024}/g, score: 0.95 },
    {
      type: 'API_KEY',
      regex:
        /\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,200}|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|xox[abprs]-[A-Za-z0-9-]{10,200}|AIza[0-9A-Za-z_-]{35}|[rs]k_(?:live|test)_[0-9A-Za-z]{16,200}|glpat-[0-9A-Za-z_-]{20,100})/g,
      score: 0.95,
    },
    { type: 'API_KEY', regex: /(?<![A-Za-z0-9_+/=-])[A-Za-z0-9_+/-]{24,512}={0,2}(?![A-Za-z0-9_+/=-])/g, score: 0.6, validate: judgeToken },
  ],
  ['key', 'token', 'secret', 'password', 'passwd', 'bearer', 'api', 'apikey', 'credential', 'auth', 'authorization'],
);
