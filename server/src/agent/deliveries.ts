/** Remembers recent delivery ids so a redelivered webhook is acknowledged and ignored. Bounded, oldest out. */
export class DeliveryLog {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** True the first time an id is seen. */
  firstTime(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}
