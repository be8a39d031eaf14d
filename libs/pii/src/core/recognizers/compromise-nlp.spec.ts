import { COMPROMISE_PASSES, LEFT_OUT_PASS, nlp } from './compromise-nlp';

describe('compromise-nlp', () => {
  const world = nlp.world() as unknown as { hooks: string[] };
  const tagged = (text: string): string[][] =>
    (nlp(text).docs as unknown as { text: string; tags: Set<string> }[][]).flat().map((term) => [term.text, ...[...term.tags].sort()]);

  it("runs compromise's passes in its order, all but the grammar pass", () => {
    expect(COMPROMISE_PASSES).toContain(LEFT_OUT_PASS);
    expect(COMPROMISE_PASSES).toContain('preTagger');
    expect(world.hooks).toEqual(COMPROMISE_PASSES.filter((pass) => pass !== LEFT_OUT_PASS));
  });

  it('does not run the grammar pass', () => {
    // The grammar pass reads "Will" before a surname as a name; the first pass alone reads it as a verb.
    const withGrammar = (): string[][] => {
      const shipped = world.hooks;
      world.hooks = [...COMPROMISE_PASSES];
      try {
        return tagged('Will Smith said that.');
      } finally {
        world.hooks = shipped;
      }
    };

    expect(withGrammar()[0]).toContain('Person');
    expect(tagged('Will Smith said that.')[0]).not.toContain('Person');
  });

  it('keeps the tags the recognizer reads', () => {
    const [john, smith, , , estonia] = tagged('John Smith moved to Estonia.');

    expect([john, smith, estonia].map((term) => term?.slice(1))).toEqual([
      expect.arrayContaining(['Person', 'FirstName']),
      expect.arrayContaining(['Person', 'LastName']),
      expect.arrayContaining(['Place', 'Country']),
    ]);
  });
});
