// Many deadlines (TTL expiry, critical-service reaping, active check runs) served by the object's one
// alarm. Deadlines live in memory; the alarm only ever moves earlier, so pushing a deadline later
// (a TTL heartbeat) costs no storage write. On firing: take what is due, handle it, re-arm.
import type { Clock } from './clock';

/** How early a deadline may be handled; see takeDue. */
export const DUE_TOLERANCE_MS = 50;

export class Timers {
  private readonly deadlines = new Map<string, number>();
  private armedAt: number | null = null;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly clock: Clock,
    private readonly stats: { alarmsSet: number },
  ) {}

  set(key: string, at: number): void {
    this.deadlines.set(key, at);
    // An alarm time already past means that alarm has fired or failed: arm afresh rather than trust it.
    if (this.armedAt === null || at < this.armedAt || this.armedAt < this.clock.now() - 1000) this.arm(at);
  }

  delete(key: string): void {
    this.deadlines.delete(key);
  }

  get(key: string): number | undefined {
    return this.deadlines.get(key);
  }

  /** The earliest deadline, if any (for the alarm-lag metric). */
  earliest(): number | undefined {
    const next = Math.min(...this.deadlines.values());
    return Number.isFinite(next) ? next : undefined;
  }

  /** Removes and returns the keys due by now, earliest first. */
  takeDue(): string[] {
    // An alarm may run a hair before its time, and re-arming for that same instant would be lost when
    // the handler returns (the runtime then clears it): so a deadline this close counts as due.
    const now = this.clock.now() + DUE_TOLERANCE_MS;
    const due = [...this.deadlines].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [key] of due) this.deadlines.delete(key);
    return due.map(([key]) => key);
  }

  /** After the alarm ran (the platform cleared it): arm again for the earliest remaining deadline. */
  rearm(): void {
    this.armedAt = null;
    const next = Math.min(...this.deadlines.values());
    if (Number.isFinite(next)) this.arm(next);
  }

  /**
   * The alarm's body: takes what is due, re-arms for the rest, then runs `fire` on each due key at once.
   * One failing deadline must not stop the others or leave the alarm unarmed.
   */
  async fireDue(fire: (key: string) => Promise<void> | void): Promise<void> {
    const runs = this.takeDue().map(async (key) => {
      try {
        await fire(key);
      } catch (err) {
        console.error(`timer ${key} failed:`, err);
      }
    });
    this.rearm();
    await Promise.all(runs);
  }

  /** At start-up: trust an alarm already stored if it is early enough, else set one. */
  async restore(): Promise<void> {
    const stored = await this.storage.getAlarm();
    this.armedAt = stored;
    const next = Math.min(...this.deadlines.values());
    if (Number.isFinite(next) && (stored === null || next < stored)) this.arm(next);
  }

  private arm(at: number): void {
    this.armedAt = at;
    this.stats.alarmsSet++;
    // Alarms run on the real clock; the test clock's offset only shifts what counts as due.
    void this.storage.setAlarm(Math.max(Date.now() + 1, at - this.clock.offsetMs));
  }
}
