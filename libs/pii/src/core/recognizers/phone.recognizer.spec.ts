import { createPiiEngine } from '../pii-engine';
import { PhoneRecognizer } from './phone.recognizer';

describe(PhoneRecognizer.name, () => {
  const engine = createPiiEngine({ ner: null });
  const phones = (text: string): string[] =>
    engine.analyze(text, { entities: ['PHONE_NUMBER'] }).map((finding) => text.slice(finding.start, finding.end));

  it.each([
    ['four pairs', 'Leave the parcel with 41-27-63-90 if nobody opens.', '41-27-63-90'],
    ['a 2-3-3 layout', 'Forward it to 62-418-305 please.', '62-418-305'],
    ['an area code in brackets', 'The depot line (31) 742-915 rings twice.', '(31) 742-915'],
    ['a number with an extension', 'Reception: 212-555-0147 ext. 42', '212-555-0147 ext. 42'],
    ['an international number', 'Try +44 20 7946 0958 instead.', '+44 20 7946 0958'],
  ])('finds %s without a phone word', (_case, text, expected) => {
    expect(phones(text)).toEqual([expected]);
  });

  it.each([
    ['answering', 'Nobody is answering at 483 2291 today.', '483 2291'],
    ['landline', 'Her landline is 62 418 305.', '62 418 305'],
    ['messages', 'I get no messages on 93 417720 lately.', '93 417720'],
    ['dial', 'Dial 715 8802 from the lobby.', '715 8802'],
  ])('finds a short number next to "%s"', (_word, text, expected) => {
    expect(phones(text)).toEqual([expected]);
  });

  it.each([
    'Item 483 2291 is missing from the shelf.',
    'The stadium sold 12 345 678 tickets last season.',
    'The city has 1 204 331 inhabitants.',
    'We met on 2024 03 05 and again on 05-03-2024.',
    'Upgrade to 10.12.305 before the release.',
    'Batch 4821 9034 was recalled.',
  ])('finds no phone number in %j', (text) => {
    expect(phones(text)).toEqual([]);
  });
});
