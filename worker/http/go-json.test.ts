import { describe, expect, it } from 'vitest';
import { parseGoJson } from './go-json';

describe('parseGoJson', () => {
  it.each([
    ['{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"]}', { a: [1, -2500, true, false, null, 'xé\n'] }],
    ['  {"Name":"web"} trailing text Go never reads', { Name: 'web' }],
    ['[1] [2]', [1]],
    ['"s"', 's'],
    ['12 x', 12],
  ])('reads the first value of %j, as Go\'s json.Decoder does', (text, value) => {
    expect(parseGoJson(text)).toEqual(value);
  });

  it.each([
    ['', 'EOF'],
    ['   ', 'EOF'],
    ['body', "invalid character 'b' looking for beginning of value"],
    ['{"a":1', 'unexpected EOF'],
    ['{"a"', 'unexpected EOF'],
    ['"abc', 'unexpected EOF'],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['{"a",1}', "invalid character ',' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['[01]', "invalid character '1' after array element"],
    ['tru', 'unexpected EOF'],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['nul!', "invalid character '!' in literal null (expecting 'l')"],
    ['{"a":NaN}', "invalid character 'N' looking for beginning of value"],
    ['['.repeat(10_001), 'exceeded max depth'],
  ])('refuses %j with Go\'s text', (text, message) => {
    expect(() => parseGoJson(text)).toThrow(new Error(message));
  });
});
