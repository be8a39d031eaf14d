import { StopSequenceFilter } from './stop-sequence-filter';

function run(stops: string[], chunks: string[]): { emitted: string[]; text: string; stopped: boolean } {
  const emitted: string[] = [];
  const sut = new StopSequenceFilter(stops, (chunk) => emitted.push(chunk));
  for (const chunk of chunks) if (sut.push(chunk)) break;
  sut.flush();
  return { emitted, text: sut.text, stopped: sut.hasStopped };
}

describe(StopSequenceFilter.name, () => {
  it('cuts the text before a stop sequence that spans chunks and never emits part of it', () => {
    const result = run([' girl'], [', there was a', ' little', ' gi', 'rl named']);

    expect(result).toEqual({ emitted: [', there was a', ' little'], text: ', there was a little', stopped: true });
  });

  it('releases a held-back prefix once it cannot become a stop sequence', () => {
    const result = run(['\n### Human'], ['Hello\n', '#', 'x world']);

    expect(result.emitted).toEqual(['Hello', '\n#x world']);
    expect(result.stopped).toBe(false);
  });

  it('stops at the earliest of several stop sequences', () => {
    expect(run(['END', 'b'], ['a b END']).text).toBe('a ');
  });

  it('passes everything through without stop sequences', () => {
    expect(run(['', ''], ['one', ' two'])).toEqual({ emitted: ['one', ' two'], text: 'one two', stopped: false });
  });

  it('flushes the held-back tail at the end', () => {
    expect(run(['STOP'], ['the end ST']).text).toBe('the end ST');
  });
});
