// The compromise instance the named-entity recognizer reads: its `two` build's tokenizer, lexicon and first tagging
// pass (lexicon, capitalisation, suffixes), without the second pass. That pass (`postTagger`) sweeps a grammar of
// about a thousand patterns over every sentence: three quarters of a tagging run, for tags the recognizer mostly does
// not read (verb tenses, adjective kinds). Measured on presidio-research's 1,500 sentences (bench/pii/README.md), the
// recognizer finds as much without it (F2 0.861 -> 0.866) in about a third of the time; the few person patterns of
// that pass the recognizer relied on (a word before a surname, a title after it, particles inside) are its own rules.
import nlp from 'compromise/two';

/** The compromise pass the recognizer leaves out: the grammar sweep. */
export const LEFT_OUT_PASS = 'postTagger';

const world = nlp.world() as unknown as { hooks: string[] };
/** compromise's own passes, in its order, as it runs them on `nlp(text)` (the grammar pass included). */
export const COMPROMISE_PASSES: readonly string[] = [...world.hooks];
world.hooks = world.hooks.filter((hook) => hook !== LEFT_OUT_PASS);

export { nlp };
