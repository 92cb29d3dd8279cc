/**
 * Requests begun and not yet recorded, so that close() can let the answers under way finish and be
 * recorded before the writer drains. Requests that begin while a close waits are not waited for: under
 * steady traffic the count never reaches zero.
 */
export class InFlightRequests {
  private generation = 0;
  /** Begun in the current generation and not yet ended. */
  private open = 0;
  /** Begun before the last settle() call and not yet ended. */
  private earlier = 0;
  private settledWaiters: Array<() => void> = [];

  /** Returns the generation to hand back to end(). */
  begin(): number {
    this.open++;
    return this.generation;
  }

  end(generation: number): void {
    if (generation === this.generation) {
      this.open--;
    } else if (--this.earlier === 0) {
      for (const resolve of this.settledWaiters.splice(0)) resolve();
    }
  }

  /** Resolves once every request begun before this call has ended, or after timeoutMs. */
  async settled(timeoutMs: number): Promise<void> {
    this.earlier += this.open;
    this.open = 0;
    this.generation++;
    if (this.earlier === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => this.settledWaiters.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}
