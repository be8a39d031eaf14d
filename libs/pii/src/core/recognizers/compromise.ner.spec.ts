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

  describe('organisations', () => {
    it.each([
      ['a legal form after a first name', 'She works for Grace Hopper Inc now.', 'Grace Hopper Inc'],
      ['a leading number', 'They hired 21 Pixels Ltd for the logo.', '21 Pixels Ltd'],
      ['an institution word before "of"', 'He lectures at the University of Tromsø.', 'University of Tromsø'],
      ['what the company is said to be', 'Brindlewick is a software company in Leeds.', 'Brindlewick'],
      ['what only a company does', 'Quorvane was founded in 2011 by two chemists.', 'Quorvane'],
      ['a double-barrelled name after an employment cue', 'My aunt spent two years at Hale-Ormond before retiring.', 'Hale-Ormond'],
      ['the company line of an address block', 'Oskar Lindqvist\nProcurement lead\nFjordhaven Logistics\n14 Harbour Road\nBergen', 'Fjordhaven Logistics'],
    ])('finds %s', (_case, text, expected) => {
      expect(entities(text)).toContainEqual(['ORGANIZATION', expected]);
    });

    it('reads a lower-case word as a company only in lower-case text', () => {
      expect(entities('Her visa was approved on Monday.')).not.toContainEqual(['ORGANIZATION', 'visa']);
    });

    it('does not take the name under a sign-off for a company', () => {
      const found = entities('Thanks for the update.\nRegards\nTomasz Wrona\n27 Mill Lane\nGdańsk');

      expect(found).not.toContainEqual(['ORGANIZATION', 'Tomasz Wrona']);
    });
  });

  describe('places', () => {
    it.each([
      ['a first name after "born in"', 'She was born in Marion and still lives there.', 'Marion'],
      ['a journey', 'We flew to Tarragona for the conference.', 'Tarragona'],
      ['a town line that is also a first name', '41 Quay Street\nSuite 9\nVictoria\nCanada 40213', 'Victoria'],
      ['a country line ending in a postcode', '41 Quay Street\nSuite 9\nVictoria\nCanada 40213', 'Canada'],
      ['the town after a street and a comma', 'Drop it at 18 Tanner Street, Wexford.', 'Wexford'],
      ['a town with a parenthesised qualifier', '3 Oak Lane\nFrankfurt (Oder)\nGermany 15230', 'Frankfurt (Oder)'],
      ['a town before its region', 'Greendale, Wisconsin has a new mayor.', 'Greendale'],
      ['a country named with a direction', 'We toured South Korea last spring.', 'South Korea'],
    ])('finds %s', (_case, text, expected) => {
      expect(entities(text)).toContainEqual(['LOCATION', expected]);
    });

    it('does not take a street abbreviation for a place', () => {
      expect(entities('Turn left at the church on Baker St.').map(([, value]) => value)).not.toContain('St');
    });

    it('does not take ordinary words under a numbered line for a town', () => {
      expect(entities('Release notes for version 2\nGreat Work\nEveryone')).toEqual([]);
    });
  });

  describe('people', () => {
    it.each([
      ['a name with particles', 'Please ask Jorien van der Hoeven about it.', 'Jorien van der Hoeven'],
      ['every member of a list with one known name', 'The band is Kowalczyk, Peter and Dunmore.', 'Dunmore'],
      ['a name addressed at the start of a sentence', 'Ysolde, could you send me the file?', 'Ysolde'],
      ['a name after "my name is" in lower-case text', 'hi, my name is tarvo leppik and i need help', 'tarvo leppik'],
      ['a surname after a known first name in lower-case text', 'please remind marta okonkwo about the invoice', 'marta okonkwo'],
      ['a relative', 'I am writing for my cousin Ivetta about her account.', 'Ivetta'],
      ['an ordinary word as a given name', 'My great grandmother was called Lily Nolan.', 'Lily Nolan'],
      ['a given name read as a month, and an initial', 'My name is Ján M. Novák but everyone calls me Ján.', 'Ján M. Novák'],
      ['a title after a name', 'The letter was signed by Giovanna Rodrigues MD last week.', 'Giovanna Rodrigues MD'],
      ['an ordinary word as a surname', 'The invoice went to Sharon Fields yesterday.', 'Sharon Fields'],
    ])('finds %s', (_case, text, expected) => {
      expect(entities(text)).toContainEqual(['PERSON', expected]);
    });

    it.each([
      ['the first word of a sentence', 'Yesterday Nolan called about the invoice.', 'Nolan'],
      ['a greeting', 'Dear Nolan, thank you for the invoice.', 'Nolan'],
    ])('leaves %s outside the name after it', (_case, text, expected) => {
      expect(entities(text).filter(([type]) => type === 'PERSON')).toEqual([['PERSON', expected]]);
    });

    it('ends a name at its possessive and leaves the title after it', () => {
      const found = entities("We read Edda Morrow's Tarsian Chronicles in class.");

      expect(found).toContainEqual(['PERSON', 'Edda Morrow']);
      expect(found.filter(([type]) => type === 'PERSON')).toHaveLength(1);
    });

    it('does not take a title of ordinary words for a name', () => {
      const found = entities('Read Hidden Gardens: Ten Walks You Should Take before spring.');

      expect(found.filter(([type]) => type === 'PERSON')).toEqual([]);
    });
  });
});
