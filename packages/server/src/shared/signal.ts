/**
 * A wake-up flag for a loop: `notify` before `wait` is not lost (the next wait returns at once),
 * and a wait ends early on notify or after `ms`.
 */
export class Signal {
  private pending = false;
  private resolve: ((notified: boolean) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  notify(): void {
    if (this.resolve) this.release();
    else this.pending = true;
  }

  /** True when ended by `notify`, false when `ms` passed. */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(() => this.release(false), ms);
    });
  }

  private release(notified = true): void {
    clearTimeout(this.timer);
    const resolve = this.resolve;
    this.resolve = undefined;
    this.timer = undefined;
    resolve?.(notified);
  }
}
