import { ConfigError } from '@attest/config';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PolicyBundle } from '../core/policy-bundle';
import type { PolicyConfig } from '../core/policy.config';

/** Whether bundles must be signed, and by which key; read once from the `policy` config namespace. */
export class PolicySignaturePolicy {
  private constructor(private readonly publicKey: KeyObject | undefined) {}

  static fromConfig(config: Pick<PolicyConfig, 'requireSignature' | 'publicKeyFile'>): PolicySignaturePolicy {
    if (!config.requireSignature) return new PolicySignaturePolicy(undefined);
    if (!config.publicKeyFile) {
      throw new ConfigError('policy', ['ATTEST_POLICY_REQUIRE_SIGNATURE is true but ATTEST_POLICY_PUBLIC_KEY_FILE is unset. Expected: a PEM Ed25519 public key file']);
    }
    let key: KeyObject;
    try {
      key = createPublicKey(readFileSync(config.publicKeyFile, 'utf8'));
    } catch (error) {
      throw new ConfigError('policy', [`ATTEST_POLICY_PUBLIC_KEY_FILE="${config.publicKeyFile}" is not allowed: ${(error as Error).message}. Expected: a PEM Ed25519 public key file`]);
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new ConfigError('policy', [`ATTEST_POLICY_PUBLIC_KEY_FILE="${config.publicKeyFile}" is not allowed: a ${key.asymmetricKeyType ?? 'unknown'} key. Expected: a PEM Ed25519 public key file`]);
    }
    return new PolicySignaturePolicy(key);
  }

  static none(): PolicySignaturePolicy {
    return new PolicySignaturePolicy(undefined);
  }

  get required(): boolean {
    return this.publicKey !== undefined;
  }

  /** Throws POLICY_SIGNATURE_INVALID when signing is required and `bundle` is unsigned or badly signed. */
  check(bundle: PolicyBundle): void {
    if (this.publicKey) bundle.assertSignedBy(this.publicKey);
  }
}
