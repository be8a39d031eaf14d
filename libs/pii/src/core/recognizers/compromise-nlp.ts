// The compromise instance the named-entity recognizer reads. Its `two` build is the tokenizer, lexicon and tagger: all
// the recognizer reads. The full build adds only phrase views and a `chunks` hook that tags nothing (same tags on
// every bench/pii text) and costs about a quarter of a pass.
import nlp from 'compromise/two';

/** One parsed pattern of compromise's tagger grammar, as its `buildNet` leaves it. */
interface SweepMatch {
  match: string;
  needs: readonly string[];
  wants: readonly string[];
  ifNo?: readonly string[];
  minWant: number;
  minWords: number;
  unTag?: unknown;
}

interface SweepNet {
  hooks: Record<string, SweepMatch[]>;
  always: readonly SweepMatch[];
}

type Sentence = readonly unknown[];

interface SweepMethods {
  one: {
    cacheDoc(document: readonly Sentence[]): ReadonlySet<string>[];
    match(document: readonly Sentence[], match: SweepMatch): { ptrs: number[][] };
  };
}

/** Each net's hook words in the order compromise walks them (`Object.keys`), built once per net. */
const hookOrders = new WeakMap<SweepNet, Map<string, number>>();

function hookOrder(net: SweepNet): Map<string, number> {
  let order = hookOrders.get(net);
  if (!order) {
    order = new Map(Object.keys(net.hooks).map((word, index) => [word, index]));
    hookOrders.set(net, order);
  }
  return order;
}

/** The hooked patterns a sentence may match: those of the words and tags it has, first occurrence kept, in net order. */
function candidates(net: SweepNet, order: Map<string, number>, has: ReadonlySet<string>): SweepMatch[] {
  const present = [...has].filter((word) => order.has(word)).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  const seen = new Set<string>();
  const list: SweepMatch[] = [];
  for (const word of present) {
    for (const match of net.hooks[word] ?? []) {
      if (seen.has(match.match)) continue;
      seen.add(match.match);
      list.push(match);
    }
  }
  return list;
}

function applies(match: SweepMatch, has: ReadonlySet<string>): boolean {
  if (!match.needs.every((need) => has.has(need))) return false;
  if (match.ifNo?.some((no) => has.has(no)) === true) return false;
  return match.wants.length === 0 || match.wants.filter((want) => has.has(want)).length >= match.minWant;
}

/**
 * compromise's `bulkMatch` (src/1-one/sweep/methods/sweep, v14.17) with the same candidates in the same order. Its
 * `getHooks` walks every hook word of the grammar (thousands) for each comma-separated piece and concatenates the
 * lists one by one: about half of a tagger pass on short texts. This walks only the piece's own words and tags.
 */
function bulkMatch(document: readonly Sentence[], net: SweepNet, methods: SweepMethods, opts: { matchOne?: boolean } = {}): unknown[] {
  const docCache = methods.one.cacheDoc(document);
  const order = hookOrder(net);
  const results: unknown[] = [];
  for (let n = 0; n < document.length; n += 1) {
    const has = docCache[n] ?? new Set<string>();
    const words = document[n]?.length ?? 0;
    const todo = [...candidates(net, order, has).filter((match) => applies(match, has)), ...net.always];
    for (const match of todo) {
      if (words < match.minWords) continue;
      const found = methods.one.match([document[n] ?? []], match);
      for (const pointer of found.ptrs) {
        pointer[0] = n;
        results.push({ ...match, pointer });
      }
      if (found.ptrs.length > 0 && opts.matchOne === true) return [results[0]];
    }
  }
  return results;
}

/** The original, kept for the spec that holds the two to the same tags. */
export const compromiseBulkMatch = (nlp.world() as unknown as { methods: { one: { bulkMatch: unknown } } }).methods.one.bulkMatch;

nlp.plugin({ methods: { one: { bulkMatch } } } as unknown as Parameters<typeof nlp.plugin>[0]);

export { nlp };
