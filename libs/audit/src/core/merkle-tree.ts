import { EMPTY_TREE_ROOT, type Hash, nodeHash } from './hashing';

// Sizes and indexes may exceed 2^32, so halving uses arithmetic rather than 32-bit shift operators.
const half = (value: number): number => Math.floor(value / 2);
const isOdd = (value: number): boolean => value % 2 === 1;

/** The largest power of two strictly smaller than `n` (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Merkle Tree Hash (RFC 9162 §2.1.1) of the first `size` leaf hashes, computed from leaf *hashes*.
 *
 * @example
 * merkleRoot([leafHash(a), leafHash(b)]).equals(nodeHash(leafHash(a), leafHash(b))); // true
 */
export function merkleRoot(leafHashes: readonly Hash[], size = leafHashes.length): Hash {
  const frontier = new MerkleFrontier();
  for (let index = 0; index < size; index++) frontier.append(leafHashes[index] as Hash);
  return frontier.root();
}

/**
 * The right edge of a growing RFC 6962 tree: the roots of the perfect subtrees that make up its size, left to right.
 * Appending is amortised O(1) and the root of the current size is O(log n), so a verifier can check every checkpoint
 * in one pass over the log.
 *
 * @example
 * const frontier = new MerkleFrontier();
 * for (const hash of leafHashes) frontier.append(hash);
 * frontier.root();
 */
export class MerkleFrontier {
  private readonly nodes: Hash[] = [];
  private count = 0;

  /**
   * The frontier of a tree of `size` leaves from its perfect subtree roots (one per one bit of `size`, largest first),
   * as a retention event records it; undefined when their number does not fit the size.
   */
  static restore(size: number, nodes: readonly Hash[]): MerkleFrontier | undefined {
    let ones = 0;
    for (let bits = size; bits > 0; bits = half(bits)) if (isOdd(bits)) ones++;
    if (!Number.isSafeInteger(size) || size < 0 || ones !== nodes.length || nodes.some((node) => node.length !== 32)) return undefined;
    const frontier = new MerkleFrontier();
    frontier.nodes.push(...nodes.map((node) => Buffer.from(node)));
    frontier.count = size;
    return frontier;
  }

  get size(): number {
    return this.count;
  }

  /** The perfect subtree roots, largest (leftmost) first. */
  subtreeRoots(): Hash[] {
    return this.nodes.map((node) => Buffer.from(node));
  }

  append(leaf: Hash): void {
    let node = leaf;
    // Every trailing one bit of the old size is a perfect subtree that the new leaf completes.
    for (let bits = this.count; isOdd(bits); bits = half(bits)) node = nodeHash(this.nodes.pop() as Hash, node);
    this.nodes.push(node);
    this.count++;
  }

  /** MTH of the leaves appended so far: the perfect subtree roots folded from the right. */
  root(): Hash {
    if (this.nodes.length === 0) return EMPTY_TREE_ROOT;
    let root = this.nodes[this.nodes.length - 1] as Hash;
    for (let index = this.nodes.length - 2; index >= 0; index--) root = nodeHash(this.nodes[index] as Hash, root);
    return root;
  }
}

/**
 * Leaf hashes of positions [offset, offset + leaves.length). When retention has dropped the first `offset` leaves, the
 * frontier recorded at the drop stands in for them: every subtree a proof about a retained leaf needs is either one
 * of its perfect subtrees or made of retained leaves.
 */
export class LeafRange {
  private readonly known = new Map<string, Hash>();

  constructor(
    readonly leaves: readonly Hash[],
    readonly offset = 0,
    dropped?: MerkleFrontier,
  ) {
    if (offset > 0 && dropped?.size !== offset) throw new RangeError(`leaves from ${offset} need the frontier of the first ${offset}`);
    let start = 0;
    for (const node of dropped?.subtreeRoots() ?? []) {
      const width = largestPowerOfTwoAtMost(offset - start);
      this.known.set(`${start}:${start + width}`, node);
      start += width;
    }
  }

  get size(): number {
    return this.offset + this.leaves.length;
  }

  subtree(start: number, end: number): Hash {
    const known = start < this.offset ? this.known.get(`${start}:${end}`) : undefined;
    if (known) return known;
    if (end - start === 1) {
      const leaf = start >= this.offset ? this.leaves[start - this.offset] : undefined;
      if (!leaf) throw new RangeError(`leaf ${start} is not available (the log is retained from ${this.offset})`);
      return leaf;
    }
    const k = largestPowerOfTwoBelow(end - start);
    return nodeHash(this.subtree(start, start + k), this.subtree(start + k, end));
  }
}

function largestPowerOfTwoAtMost(n: number): number {
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

const asRange = (leaves: readonly Hash[] | LeafRange): LeafRange => (leaves instanceof LeafRange ? leaves : new LeafRange(leaves));

/**
 * Audit path PATH(m, D[n]) of RFC 9162 §2.1.3.1 for leaf `index` in the tree of the first `size` leaves.
 *
 * @example
 * const proof = inclusionProof(leafHashes, 5, 8);
 * verifyInclusion(leafHashes[5], 5, 8, proof, merkleRoot(leafHashes, 8)); // true
 */
export function inclusionProof(leafHashes: readonly Hash[] | LeafRange, index: number, size = asRange(leafHashes).size): Hash[] {
  const range = asRange(leafHashes);
  if (!Number.isSafeInteger(index) || index < range.offset || index >= size || size > range.size) {
    throw new RangeError(`no leaf ${index} in a tree of size ${size}`);
  }
  const path: Hash[] = [];
  const walk = (m: number, start: number, end: number): void => {
    if (end - start <= 1) return;
    const k = largestPowerOfTwoBelow(end - start);
    if (m < k) {
      walk(m, start, start + k);
      path.push(range.subtree(start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(range.subtree(start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/**
 * Consistency proof PROOF(m, D[n]) of RFC 9162 §2.1.4.1 between the trees of the first `oldSize` and `newSize` leaves.
 *
 * @example
 * const proof = consistencyProof(leafHashes, 3, 7);
 * verifyConsistency(3, 7, merkleRoot(leafHashes, 3), merkleRoot(leafHashes, 7), proof); // true
 */
export function consistencyProof(leafHashes: readonly Hash[] | LeafRange, oldSize: number, newSize = asRange(leafHashes).size): Hash[] {
  const range = asRange(leafHashes);
  if (oldSize < 0 || oldSize > newSize || newSize > range.size) throw new RangeError(`no consistency proof from ${oldSize} to ${newSize}`);
  if (oldSize === 0 || oldSize === newSize) return [];
  const proof: Hash[] = [];
  const walk = (m: number, start: number, end: number, completeSubtree: boolean): void => {
    if (m === end - start) {
      if (!completeSubtree) proof.push(range.subtree(start, end));
      return;
    }
    const k = largestPowerOfTwoBelow(end - start);
    if (m <= k) {
      walk(m, start, start + k, completeSubtree);
      proof.push(range.subtree(start + k, end));
    } else {
      walk(m - k, start + k, end, false);
      proof.push(range.subtree(start, start + k));
    }
  };
  walk(oldSize, 0, newSize, true);
  return proof;
}

/**
 * Verifies an inclusion proof with the algorithm of RFC 9162 §2.1.3.2.
 *
 * @example
 * verifyInclusion(leafHash(bytes), 5, 8, proof, root); // true or false, never throws
 */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(root);
}

/**
 * Verifies a consistency proof with the algorithm of RFC 9162 §2.1.4.2. Equal sizes need an empty proof and equal
 * roots; an old size of 0 needs an empty proof.
 *
 * @example
 * verifyConsistency(3, 7, oldRoot, newRoot, proof); // true or false, never throws
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || newSize < oldSize) return false;
  if (oldSize === newSize) return proof.length === 0 && Buffer.from(oldRoot).equals(newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = path[0] as Uint8Array;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return Buffer.from(fr).equals(oldRoot) && Buffer.from(sr).equals(newRoot) && sn === 0;
}

function isPowerOfTwo(n: number): boolean {
  let value = n;
  while (value > 1 && !isOdd(value)) value = half(value);
  return value === 1;
}
