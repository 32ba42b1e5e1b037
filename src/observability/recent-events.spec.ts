import { describe, expect, it } from '@jest/globals';
import { RecentEvents } from './recent-events.js';

describe('RecentEvents', () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 11, 2, 6, 0, seconds));

  it('counts the occurrences after an instant', () => {
    const recent = new RecentEvents();
    for (const second of [1, 2, 30, 59]) recent.add(at(second));
    expect(recent.countSince(at(0))).toBe(4);
    expect(recent.countSince(at(2))).toBe(2);
    expect(recent.countSince(at(59))).toBe(0);
  });

  it('keeps only the newest, so memory stays bounded', () => {
    const recent = new RecentEvents(3);
    for (let second = 0; second < 10; second++) recent.add(at(second));
    expect(recent.countSince(at(-1))).toBe(3);
  });

  it('does not assume the clock only moves forward', () => {
    const recent = new RecentEvents();
    recent.add(at(50));
    recent.add(at(10)); // a test clock set back
    expect(recent.countSince(at(20))).toBe(1);
  });
});
