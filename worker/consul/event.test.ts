import { describe, expect, it } from 'vitest';
import { eventListIndex, userEventProblem, type UserEventFire } from './event';

describe('eventListIndex (Consul\'s uuidToUint64 of the newest event)', () => {
  it.each([
    [[], '1'],
    [['00000000-0000-0001-0000-000000000003'], '2'],
    [['00000000-0000-0000-0000-000000000000', '00000000-0000-0005-0000-000000000000'], '5'],
    // Beyond 2^53: a JS number would round it, and Go's watch would never match its own index.
    [['ffffffff-ffff-ffff-0000-000000000000'], '18446744073709551615'],
    [['b54fe110-7af5-cafc-d1fb-afc8ba432b1c'], (0xb54fe1107af5cafcn ^ 0xd1fbafc8ba432b1cn).toString()],
  ])('indexes %j as %s', (ids, index) => {
    expect(eventListIndex(ids.map((ID) => ({ ID })))).toBe(index);
  });
});

describe('userEventProblem', () => {
  const fire = (extra: Partial<UserEventFire>): UserEventFire => ({ Name: 'deploy', NodeFilter: '', ServiceFilter: '', TagFilter: '', payload: null, ...extra });

  it.each([
    [{}, undefined],
    [{ NodeFilter: 'web-.*', ServiceFilter: '^api$', TagFilter: 'v[0-9]+' }, undefined],
    [{ TagFilter: 'v1' }, 'Cannot provide tag filter without service filter'],
    [{ NodeFilter: '(' }, expect.stringMatching(/^Invalid node filter: /)],
    [{ ServiceFilter: 'a[' }, expect.stringMatching(/^Invalid service filter: /)],
    [{ ServiceFilter: 'a', TagFilter: '*' }, expect.stringMatching(/^Invalid tag filter: /)],
    [{ payload: new ArrayBuffer(512 - 6) }, undefined],
    [{ payload: new ArrayBuffer(512 - 5) }, 'user event exceeds configured limit of 512 bytes before encoding'],
  ])('%j → %s', (extra, problem) => {
    expect(userEventProblem(fire(extra))).toEqual(problem);
  });
});
