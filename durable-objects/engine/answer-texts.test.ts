import { describe, expect, it } from 'vitest';
import { AnswerTexts } from './answer-texts';
import { freshDatacenter, inObject } from '../test-support';

describe('AnswerTexts', () => {
  it('keeps at most 256 texts, dropping the least recently used', async () => {
    await inObject(freshDatacenter(), (dc) => {
      const texts = new AnswerTexts({ indexes: dc.indexes, generation: () => 0 });
      const query = (n: number) => ({ key: `q${n}`, rows: ['services'], read: () => ({ index: 1, value: n }) });
      let builds = 0;
      const get = (n: number) => texts.text(query(n), '', query(n).read, (v) => (builds++, String(v)));
      for (let n = 0; n < 300; n++) {
        get(n);
        get(0); // kept recent: never the one dropped
      }
      expect(texts.size).toBe(256);
      const before = builds;
      expect(get(0).value).toBe('0');
      expect(get(299).value).toBe('299');
      expect(builds).toBe(before);
      expect(get(1).value).toBe('1');
      expect(builds).toBe(before + 1);
    });
  });

  it('rebuilds after a restore even when the rows read the same index again', async () => {
    await inObject(freshDatacenter(), (dc) => {
      let generation = 0;
      const texts = new AnswerTexts({ indexes: dc.indexes, generation: () => generation });
      let value = 'before';
      const query = { key: 'q', rows: ['services'], read: () => ({ index: 1, value }) };
      expect(texts.text(query, '', query.read, (v) => v).value).toBe('before');
      value = 'after';
      expect(texts.text(query, '', query.read, (v) => v).value).toBe('before');
      generation++;
      expect(texts.text(query, '', query.read, (v) => v).value).toBe('after');
    });
  });
});
