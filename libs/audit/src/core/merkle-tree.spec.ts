import { EMPTY_TREE_ROOT, type Hash, leafHash, toHex } from './hashing';
import { consistencyProof, inclusionProof, merkleRoot, MerkleFrontier, verifyConsistency, verifyInclusion } from './merkle-tree';
import { CONSISTENCY_VECTORS, INCLUSION_VECTORS, RFC6962_TEST_LEAVES, RFC6962_TEST_ROOTS_HEX } from './testdata/transparency-dev-merkle.vectors';

const b64 = (text: string): Buffer => Buffer.from(text, 'base64');
const testLeafHashes = (): Hash[] => RFC6962_TEST_LEAVES.map((hex) => leafHash(Buffer.from(hex, 'hex')));
const leavesOf = (count: number): Hash[] => Array.from({ length: count }, (_, index) => leafHash(Buffer.from(`leaf ${index}`)));
const flipBit = (hash: Uint8Array, bit: number): Buffer => {
  const copy = Buffer.from(hash);
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
};

describe('RFC 6962 Merkle tree', () => {
  it('computes the RFC 6962 test roots for 1..8 leaves, and SHA-256("") for none', () => {
    const hashes = testLeafHashes();
    expect(RFC6962_TEST_ROOTS_HEX.map((_, index) => toHex(merkleRoot(hashes, index + 1)))).toEqual(RFC6962_TEST_ROOTS_HEX);
    expect(toHex(merkleRoot([]))).toBe(toHex(EMPTY_TREE_ROOT));
    expect(toHex(EMPTY_TREE_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('keeps a frontier whose root equals the recursive MTH at every size', () => {
    const hashes = leavesOf(70);
    const sut = new MerkleFrontier();
    hashes.forEach((hash, index) => {
      sut.append(hash);
      expect(sut.size).toBe(index + 1);
      expect(toHex(sut.root())).toBe(toHex(merkleRoot(hashes.slice(0, index + 1))));
    });
  });

  describe.each(INCLUSION_VECTORS)('transparency-dev inclusion vector: leaf $leafIdx of $treeSize', (vector) => {
    it('verifies as published', () => {
      expect(verifyInclusion(b64(vector.leafHash), vector.leafIdx, vector.treeSize, vector.proof.map(b64), b64(vector.root))).toBe(true);
    });
    it('is what inclusionProof produces, and the leaf hash is the test leaf', () => {
      const hashes = testLeafHashes();
      expect(toHex(hashes[vector.leafIdx]!)).toBe(toHex(b64(vector.leafHash)));
      expect(inclusionProof(hashes, vector.leafIdx, vector.treeSize).map((node) => node.toString('base64'))).toEqual(vector.proof);
    });
  });

  describe.each(CONSISTENCY_VECTORS)('transparency-dev consistency vector: $size1 → $size2', (vector) => {
    it('verifies as published', () => {
      expect(verifyConsistency(vector.size1, vector.size2, b64(vector.root1), b64(vector.root2), vector.proof.map(b64))).toBe(true);
    });
    it('is what consistencyProof produces', () => {
      expect(consistencyProof(testLeafHashes(), vector.size1, vector.size2).map((node) => node.toString('base64'))).toEqual(vector.proof);
    });
  });

  it('round-trips every inclusion and consistency proof of trees up to 33 leaves', () => {
    const hashes = leavesOf(33);
    for (let size = 1; size <= 33; size++) {
      const root = merkleRoot(hashes, size);
      for (let index = 0; index < size; index++) {
        expect(verifyInclusion(hashes[index]!, index, size, inclusionProof(hashes, index, size), root)).toBe(true);
      }
      for (let oldSize = 0; oldSize <= size; oldSize++) {
        expect(verifyConsistency(oldSize, size, merkleRoot(hashes, oldSize), root, consistencyProof(hashes, oldSize, size))).toBe(true);
      }
    }
  });
});

// Size ± 1 is not in the suite on purpose: RFC 9162's algorithms may accept a proof for size n at n + 1 when both
// trees share the path's shape; the signed checkpoint binds size and root together, which rules that out.
describe('proof mutation suite', () => {
  const hashes = leavesOf(21);

  it.each([[0, 21], [5, 21], [20, 21], [7, 8], [12, 16], [3, 13]])('rejects every mutation of the inclusion proof of leaf %i in %i', (index, size) => {
    const proof = inclusionProof(hashes, index, size);
    const root = merkleRoot(hashes, size);
    const leaf = hashes[index]!;
    const mutations: [string, () => boolean][] = [
      ['index + 1', () => verifyInclusion(leaf, index + 1, size, proof, root)],
      ['index - 1', () => verifyInclusion(leaf, index - 1, size, proof, root)],
      ['size × 2', () => verifyInclusion(leaf, index, size * 2, proof, root)],
      ['size ÷ 2', () => verifyInclusion(leaf, index, Math.floor(size / 2), proof, root)],
      ['node added at end', () => verifyInclusion(leaf, index, size, [...proof, leaf], root)],
      ['node added at start', () => verifyInclusion(leaf, index, size, [leaf, ...proof], root)],
      ['last node removed', () => verifyInclusion(leaf, index, size, proof.slice(0, -1), root)],
      ['first node removed', () => verifyInclusion(leaf, index, size, proof.slice(1), root)],
      ['root is another tree', () => verifyInclusion(leaf, index, size, proof, merkleRoot(hashes, size - 1))],
      ['wrong leaf', () => verifyInclusion(hashes[(index + 1) % size]!, index, size, proof, root)],
      ['root bit flipped', () => verifyInclusion(leaf, index, size, proof, flipBit(root, 0))],
    ];
    proof.forEach((_, node) => {
      for (const bit of [0, 7, 130, 255]) {
        mutations.push([`bit ${bit} of node ${node}`, () => verifyInclusion(leaf, index, size, proof.map((p, i) => (i === node ? flipBit(p, bit) : p)), root)]);
      }
    });
    expect(mutations.filter(([, run]) => run()).map(([name]) => name)).toEqual([]);
    expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
  });

  it.each([[1, 21], [6, 8], [7, 21], [13, 16], [16, 21], [2, 5]])('rejects every mutation of the consistency proof %i → %i', (oldSize, newSize) => {
    const proof = consistencyProof(hashes, oldSize, newSize);
    const oldRoot = merkleRoot(hashes, oldSize);
    const newRoot = merkleRoot(hashes, newSize);
    const mutations: [string, () => boolean][] = [
      ['old size + 1', () => verifyConsistency(oldSize + 1, newSize, oldRoot, newRoot, proof)],
      ['old size - 1', () => verifyConsistency(oldSize - 1, newSize, oldRoot, newRoot, proof)],
      ['new size × 2', () => verifyConsistency(oldSize, newSize * 2, oldRoot, newRoot, proof)],
      ['new size ÷ 2', () => verifyConsistency(oldSize, Math.floor(newSize / 2), oldRoot, newRoot, proof)],
      ['roots swapped', () => verifyConsistency(oldSize, newSize, newRoot, oldRoot, proof)],
      ['node added', () => verifyConsistency(oldSize, newSize, oldRoot, newRoot, [...proof, oldRoot])],
      ['node prepended', () => verifyConsistency(oldSize, newSize, oldRoot, newRoot, [oldRoot, ...proof])],
      ['last node removed', () => verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.slice(0, -1))],
      ['first node removed', () => verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.slice(1))],
      ['old root flipped', () => verifyConsistency(oldSize, newSize, flipBit(oldRoot, 3), newRoot, proof)],
      ['new root flipped', () => verifyConsistency(oldSize, newSize, oldRoot, flipBit(newRoot, 3), proof)],
    ];
    proof.forEach((_, node) => {
      for (const bit of [0, 7, 130, 255]) {
        mutations.push([`bit ${bit} of node ${node}`, () => verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.map((p, i) => (i === node ? flipBit(p, bit) : p)))]);
      }
    });
    expect(mutations.filter(([, run]) => run()).map(([name]) => name)).toEqual([]);
    expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof)).toBe(true);
  });
});
