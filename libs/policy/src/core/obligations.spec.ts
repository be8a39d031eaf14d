import { describeObligations, mergeObligations, parseObligationAnnotation } from './obligations';

describe(parseObligationAnnotation.name, () => {
  it('reads ;-separated clauses', () => {
    expect(parseObligationAnnotation('redact:PERSON, EMAIL_ADDRESS; max_tokens:256 ;store_raw_content:false')).toEqual({
      clauses: [
        { kind: 'redact', types: ['PERSON', 'EMAIL_ADDRESS'] },
        { kind: 'max_tokens', cap: 256 },
        { kind: 'store_raw_content', allowed: false },
      ],
      problems: [],
    });
  });

  it.each([
    ['redact:', /expected redact:TYPE/],
    ['redact:person', /upper-case/],
    ['max_tokens:0', /positive whole number/],
    ['max_tokens:1.5', /positive whole number/],
    ['store_raw_content:maybe', /true or .*false/],
    ['shout:loud', /unknown kind "shout"/],
    ['requests_per_minute:60', /requests_per_minute:key=N/],
    ['tokens_per_day:org=5', /tokens_per_day:key=N/],
    ['  ', /empty @obligation/],
  ])('refuses %j', (annotation, problem) => {
    expect(parseObligationAnnotation(annotation).problems[0]).toMatch(problem);
  });
});

describe(mergeObligations.name, () => {
  it('lets the strictest clause win', () => {
    const sut = mergeObligations([
      [{ kind: 'redact', types: ['PERSON'] }, { kind: 'max_tokens', cap: 4096 }],
      [{ kind: 'redact', types: ['EMAIL_ADDRESS', 'PERSON'] }, { kind: 'max_tokens', cap: 1024 }],
      [{ kind: 'store_raw_content', allowed: false }],
      [{ kind: 'store_raw_content', allowed: true }],
      parseObligationAnnotation('requests_per_minute:key=600; tokens_per_day:team=900').clauses,
      parseObligationAnnotation('requests_per_minute:key=60').clauses,
    ]);
    expect(sut).toEqual({
      redact: ['EMAIL_ADDRESS', 'PERSON'],
      maxTokensCap: 1024,
      storeRawContent: false,
      quotas: [
        { metric: 'requests_per_minute', scope: 'key', limit: 60 },
        { metric: 'tokens_per_day', scope: 'team', limit: 900 },
      ],
    });
    expect(describeObligations(sut)).toEqual([
      'redact:EMAIL_ADDRESS,PERSON',
      'max_tokens:1024',
      'store_raw_content:false',
      'requests_per_minute:key=60',
      'tokens_per_day:team=900',
    ]);
  });

  it('asks for nothing when no permit carries obligations', () => {
    expect(mergeObligations([[], []])).toEqual({ redact: [], storeRawContent: true });
    expect(describeObligations(mergeObligations([]))).toEqual([]);
  });
});
