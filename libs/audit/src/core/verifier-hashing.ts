import { hash as digest } from 'node:crypto';
import { EMPTY_TREE_ROOT, type Hash, leafHash, nodeHash } from './hashing';
import type { MerkleFrontier } from './merkle-tree';

// The verifier hashes every event once as a leaf and, on average, once more as a tree node. The one-shot crypto.hash
// over a reused buffer gives the same digests as hashing.ts at about a third of the cost of a Hash object per call.
const leafScratch = Buffer.alloc(64 * 1024);
const nodeScratch = Buffer.alloc(65, 0x01);

/**
 * RFC 6962 leaf hash SHA-256(0x00 ‖ bytes), equal to {@link leafHash}.
 *
 * @example
 * hashLeaf(bytes).equals(leafHash(bytes)); // true
 */
export function hashLeaf(bytes: Uint8Array): Hash {
  if (bytes.length >= leafScratch.length) return leafHash(bytes);
  leafScratch.set(bytes, 1);
  return digest('sha256', leafScratch.subarray(0, bytes.length + 1), 'buffer');
}

/** RFC 6962 node hash SHA-256(0x01 ‖ left ‖ right) of two 32-byte hashes, equal to {@link nodeHash}. */
export function hashNode(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length !== 32 || right.length !== 32) return nodeHash(left, right);
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 33);
  return digest('sha256', nodeScratch, 'buffer');
}

/**
 * The verifier's copy of {@link MerkleFrontier} (same algorithm, same roots) on the cheaper hashes above: the right
 * edge of the tree as perfect subtree roots, largest first.
 *
 * @example
 * const frontier = VerifierFrontier.of(new MerkleFrontier());
 * frontier.append(hashLeaf(bytes));
 * frontier.root();
 */
export class VerifierFrontier {
  private constructor(
    private readonly nodes: Hash[],
    private count: number,
  ) {}

  static of(frontier: MerkleFrontier): VerifierFrontier {
    return new VerifierFrontier(frontier.subtreeRoots(), frontier.size);
  }

  get size(): number {
    return this.count;
  }

  append(leaf: Hash): void {
    let node = leaf;
    // Every trailing one bit of the old size is a perfect subtree the new leaf completes (sizes may pass 2^32: no shifts).
    for (let bits = this.count; bits % 2 === 1; bits = Math.floor(bits / 2)) node = hashNode(this.nodes.pop() as Hash, node);
    this.nodes.push(node);
    this.count++;
  }

  /** MTH of the leaves so far: the subtree roots folded from the right. */
  root(): Hash {
    if (this.nodes.length === 0) return EMPTY_TREE_ROOT;
    let root = this.nodes[this.nodes.length - 1] as Hash;
    for (let index = this.nodes.length - 2; index >= 0; index--) root = hashNode(this.nodes[index] as Hash, root);
    return root;
  }
}
