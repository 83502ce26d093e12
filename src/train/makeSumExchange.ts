/**
 * Shared memory of a {@link makeSumExchange}: made once by the coordinating thread ({@link allocateSumExchange}) and
 * posted to every participant (SharedArrayBuffers are shared, not copied, by `postMessage`).
 */
export interface SumExchangeMemory {
  /** Participants. */
  count: number;
  /** Length of each participant's vector. */
  length: number;
  /** Int32 `[arrived, generation, aborted]`: the barrier's state. */
  control: SharedArrayBuffer;
  /** Float64 `[2, count, length]`: in round r participant i writes row i of half r mod 2. */
  slots: SharedArrayBuffer;
}

/** One participant's end of the exchange. */
export interface SumExchange {
  /**
   * Write `local` (length `memory.length`) into this participant's row, wait until every participant has written
   * its row, and return the sum of the rows taken in participant order 0, 1, … (so every participant gets the same
   * float64 numbers). Blocks the thread (`Atomics.wait`).
   * @throws Error when another participant aborted the exchange (see {@link abortSumExchange}) while this one waited.
   */
  sum(local: Float64Array): Float64Array;
  /**
   * Wait until every participant has called `barrier` (a round without values): what each one wrote to shared memory
   * before it is visible to all after it (the barrier's atomics order the writes). Blocks the thread.
   * @throws Error when the exchange was aborted, as {@link sum}.
   */
  barrier(): void;
}

/** Memory for `count` participants exchanging vectors of `length` float64 values. */
export function allocateSumExchange(count: number, length: number): SumExchangeMemory {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(length) || length < 1) {
    throw new RangeError(`allocateSumExchange: ${count} participants of ${length} values, expected positive integers`);
  }
  return { count, length, control: new SharedArrayBuffer(3 * 4), slots: new SharedArrayBuffer(2 * count * length * 8) };
}

const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;

/**
 * Mark the exchange as failed and wake every participant waiting in {@link SumExchange.sum}, which then throws. Called
 * by a participant that fails before reaching the exchange, or by the coordinator when a participant dies: without
 * it the others would wait for ever.
 */
export function abortSumExchange(memory: SumExchangeMemory): void {
  const control = new Int32Array(memory.control);
  Atomics.store(control, ABORTED, 1);
  Atomics.notify(control, GENERATION);
}

/**
 * Participant `index`'s end of a reusable all-reduce (sum) between threads: a generation-counting barrier on
 * `Atomics.wait` over SharedArrayBuffers, for the few hundred float64 values that data-parallel training pools inside a
 * forward pass (the soft Dice's per-class sums), where the threads cannot return to their event loops to exchange
 * messages. The rows are summed in participant order by every participant, so all of them get bit-identical sums.
 *
 * Rounds alternate between two halves of the slots, so a participant may start the next round while another still
 * reads this one's sums (a test that skipped this saw a round's sums mixed with the next round's): writing half
 * r mod 2 again needs round r + 1's barrier passed, which every participant reaches only after reading round r.
 * Every participant must take part in every round.
 */
export function makeSumExchange(memory: SumExchangeMemory, index: number): SumExchange {
  const { count, length } = memory;
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`makeSumExchange: participant ${index} of ${count}`);
  const control = new Int32Array(memory.control);
  const slots = new Float64Array(memory.slots);
  let round = 0;
  const aborted = () => new Error(`makeSumExchange: participant ${index} of ${count}: the exchange was aborted (another participant failed)`);
  /** The generation-counting barrier shared by both kinds of rounds. */
  const arrive = () => {
    const generation = Atomics.load(control, GENERATION);
    if (Atomics.add(control, ARRIVED, 1) === count - 1) {
      Atomics.store(control, ARRIVED, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
    } else {
      // The timeout only bounds how long a lost wake-up could stall; the abort flag is checked at every wake.
      while (Atomics.load(control, GENERATION) === generation) {
        if (Atomics.load(control, ABORTED)) throw aborted();
        Atomics.wait(control, GENERATION, generation, 1000);
      }
    }
    if (Atomics.load(control, ABORTED)) throw aborted();
  };
  return {
    sum(local) {
      if (local.length !== length) throw new RangeError(`makeSumExchange: ${local.length} values, expected ${length}`);
      if (Atomics.load(control, ABORTED)) throw aborted();
      const half = (round++ % 2) * count * length;
      slots.set(local, half + index * length);
      arrive();
      const out = new Float64Array(length);
      for (let p = 0; p < count; p++) {
        const o = half + p * length;
        for (let i = 0; i < length; i++) out[i] += slots[o + i];
      }
      return out;
    },
    barrier() {
      if (Atomics.load(control, ABORTED)) throw aborted();
      // No values: the sum rounds keep alternating their halves, and a barrier between two only adds synchronisation.
      arrive();
    },
  };
}
