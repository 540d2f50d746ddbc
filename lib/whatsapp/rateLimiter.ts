/**
 * Paces sends so that no rolling window ever holds more than the allowed number of messages.
 * Cloud API's default throughput is 80 messages/s per phone number and going over it earns
 * 130429 errors (and a retry a second later). A token bucket with a burst lets rate + burst
 * through in some one-second window, so this keeps a log of the last sends instead: the next
 * send waits until the send `capacity` places back is a full window old, plus a small margin.
 *
 * What counts is when a send reached the server, which this side cannot see; it is estimated
 * from when its request finished (the caller reports it):
 * - the first `capacity` sends count from when they finished: a first burst goes out on cold
 *   connections and reaches the server late, so counting it from its go-ahead let two windows'
 *   worth land in one second;
 * - later sends count from their go-ahead, moved later by however much longer than the fastest
 *   round trip seen they took: a request held up on this side (a busy event loop) leaves late and
 *   would otherwise bunch with the next window's (CI caught 40 in one second at 20/s that way).
 *   A send answered as fast as usual still counts from its go-ahead, so a slow API does not cost a
 *   round trip per window.
 * A slot still in flight when its turn comes is waited for. Clock and sleep are injected to keep
 * this pure.
 */
export class RateLimiter {
	private readonly capacity: number;
	private readonly windowMs: number;
	/** Ring of the last `capacity` sends: when each counts from, and its request while in flight. */
	private readonly slots: Array<{ at: number; finished?: Promise<void> }> = [];
	private next = 0;
	/** The fastest go-ahead → finished time seen: a request's round trip without delays on this side. */
	private fastestRoundTripMs = Infinity;
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
		const goAhead = this.now();
		let finish!: () => void;
		const mine: { at: number; finished?: Promise<void> } = {
			at: goAhead,
			finished: new Promise<void>((resolve) => (finish = resolve)),
		};
		this.slots[this.next] = mine;
		this.next = (this.next + 1) % this.capacity;
		return () => {
			if (!mine.finished) return;
			const finishedAt = this.now();
			this.fastestRoundTripMs = Math.min(this.fastestRoundTripMs, finishedAt - goAhead);
			mine.at = firstRound ? finishedAt : Math.max(goAhead, finishedAt - this.fastestRoundTripMs);
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
