/**
 * A listener's own queue of events: a ring buffer, so a consumer that stops
 * reading costs at most `capacity` slots however many events arrive. When
 * full, the oldest event is dropped and counted (`dropped`): a late reader
 * sees the newest state, and the count says what it missed.
 *
 * The buffer starts small and doubles up to `capacity`, so the default
 * capacity of 10,000 costs nothing for a listener that keeps up.
 */
export class EventQueue<T> {
  private slots: (T | undefined)[];
  private head = 0;
  private size = 0;
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError("an event queue holds a whole number of events, at least one");
    this.slots = new Array<T | undefined>(Math.min(capacity, 16));
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size === this.slots.length) {
      if (this.slots.length < this.capacity) this.grow();
      else {
        // Full at capacity: the new item takes the oldest one's slot.
        this.slots[this.head] = item;
        this.head = (this.head + 1) % this.slots.length;
        this.dropped++;
        return;
      }
    }
    this.slots[(this.head + this.size) % this.slots.length] = item;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.slots[this.head];
    // Release the reference: a queue must not keep delivered events alive.
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.slots.length;
    this.size--;
    return item;
  }

  clear(): void {
    this.slots = new Array<T | undefined>(Math.min(this.capacity, 16));
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const next = new Array<T | undefined>(Math.min(this.capacity, this.slots.length * 2));
    for (let i = 0; i < this.size; i++) next[i] = this.slots[(this.head + i) % this.slots.length];
    this.slots = next;
    this.head = 0;
  }
}
