/**
 * Paces sends so that no rolling window ever holds more than the allowed number of messages.
 * Cloud API's default throughput is 80 messages/s per phone number and going over it earns
 * 130429 errors (and a retry a second later). A token bucket with a burst lets rate + burst
 * through in some one-second window, so this keeps a log of the last sends instead: the next
 * send waits until the send `capacity` places back is a full window old, plus a small margin.
 *
 * The first `capacity` sends count from when their request FINISHED (the caller reports it), not
 * from when they were allowed: a first burst goes out on cold connections and reaches the server
 * late, while the next window's requests, on warm connections, do not, so counting the first ones
 * from their go-ahead let two windows' worth land in one second. A first-round slot still in flight
 * when its turn comes is waited for. Later sends count from their go-ahead: by then requests arrive
 * at the pace they leave, and counting from the answer would cost one round trip per window
 * (a quarter of the throughput against a 250 ms API).
 * Clock and sleep are injected to keep this pure.
 */
export class RateLimiter {
	private readonly capacity: number;
	private readonly windowMs: number;
	/** Ring of the last `capacity` sends: their time, or (first round) the pending request. */
	private readonly slots: Array<{ at: number; finished?: Promise<void> }> = [];
	private next = 0;
	private queue: Promise<void> = Promise.resolve();

	constructor(
		private readonly perSecond: number,
		private readonly now: () => number,
		private readonly sleep: (ms: number) => Promise<void>,
		marginMs = 20,
	) {
		// 80/s → 80 per (1 s + margin); 0.5/s → 1 per 2 s; 2.5/s → 2 per 0.8 s.
		this.capacity = perSecond > 0 ? Math.max(1, Math.floor(perSecond)) : 0;
		this.windowMs = perSecond > 0 ? (this.capacity / perSecond) * 1000 + marginMs : 0;
	}

	/**
	 * Resolves when the caller may send one message, with a `done` to call when the request has
	 * finished (answered or failed). Callers are served in arrival order.
	 */
	acquire(): Promise<() => void> {
		const turn = this.queue.then(() => this.take());
		this.queue = turn.then(
			() => undefined,
			() => undefined,
		);
		return turn;
	}

	private async take(): Promise<() => void> {
		if (!(this.perSecond > 0)) return () => undefined;
		for (;;) {
			const slot = this.slots[this.next];
			if (slot?.finished) {
				await slot.finished;
				continue;
			}
			const wait = slot === undefined ? 0 : slot.at + this.windowMs - this.now();
			if (wait <= 0) break;
			await this.sleep(Math.ceil(wait));
		}
		const firstRound = this.slots[this.next] === undefined;
		const mine: { at: number; finished?: Promise<void> } = { at: this.now() };
		this.slots[this.next] = mine;
		this.next = (this.next + 1) % this.capacity;
		if (!firstRound) return () => undefined;
		let finish!: () => void;
		mine.finished = new Promise<void>((resolve) => (finish = resolve));
		return () => {
			if (!mine.finished) return;
			mine.at = this.now();
			mine.finished = undefined;
			finish();
		};
	}
}

/** Runs `task` for every item with at most `concurrency` in flight, keeping result order. */
export async function mapWithConcurrency<T, R>(
	items: readonly T[],
	concurrency: number,
	task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await task(items[index], index);
		}
	};
	await Promise.all(
		Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker),
	);
	return results;
}
