import { CompromiseNamedEntityRecognizer } from './compromise.ner';
import { resolveOverlaps } from '../analysis/overlap-resolver';

describe(CompromiseNamedEntityRecognizer.name, () => {
  const sut = new CompromiseNamedEntityRecognizer();
  const entities = (text: string): [string, string][] =>
    resolveOverlaps(sut.recognize(text)).map((finding) => [finding.type, text.slice(finding.start, finding.end)]);

  it.each([
    ['a name from its lexicon', 'Yesterday John Smith called.', ['PERSON', 'John Smith']],
    ['a name outside its lexicon', 'Krisztián Szöllösy listed his top songs.', ['PERSON', 'Krisztián Szöllösy']],
    ['a name after a cue, without its title', 'Please correct it to Dr. Cettina Fanucci?', ['PERSON', 'Cettina Fanucci']],
    ['a name without its possessive', "Bryan Maclean's guitar was sold.", ['PERSON', 'Bryan Maclean']],
    ['a name with an initial', 'The verses from Faina D. Yefremova were sung.', ['PERSON', 'Faina D. Yefremova']],
    ['a speaker label', 'Ubul: What a day.\nNicole: Remember me?', ['PERSON', 'Nicole']],
    ['a country', 'We moved here from Estonia.', ['LOCATION', 'Estonia']],
    ['the town line of an address', '28245 Puruntie 82 Apt. 595\nLAPPEENRANTA\nFinland', ['LOCATION', 'LAPPEENRANTA']],
    ['a firm name', 'I work for Davis, Reynolds and Williamson now.', ['ORGANIZATION', 'Davis, Reynolds and Williamson']],
    ['a company by its suffix', 'She works for Acme Corporation now.', ['ORGANIZATION', 'Acme Corporation']],
  ])('finds %s', (_case, text, expected) => {
    expect(entities(text)).toContainEqual(expected);
  });

  it('does not take form labels or sentence openers for names', () => {
    const found = entities('Name: Abby Laidlaw\nPhone: 555 0100\nThe weather is nice.');

    expect(found.map(([, value]) => value)).not.toEqual(expect.arrayContaining(['Name', 'Phone', 'The']));
  });
});
