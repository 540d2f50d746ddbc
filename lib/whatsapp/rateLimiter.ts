/**
 * Paces sends to a steady rate with a token bucket. Cloud API's default throughput is
 * 80 messages/s per phone number; going over it earns 130429 errors and retries, so the
 * node spaces requests out itself. Clock and sleep are injected to keep this pure.
 */
export class RateLimiter {
	private tokens: number;
	private last: number;
	private queue: Promise<void> = Promise.resolve();

	constructor(
		private readonly perSecond: number,
		private readonly now: () => number,
		private readonly sleep: (ms: number) => Promise<void>,
		private readonly burst = Math.max(1, Math.min(perSecond, 10)),
	) {
		this.tokens = this.burst;
		this.last = now();
	}

	/** Resolves when the caller may send one message. Callers are served in arrival order. */
	acquire(): Promise<void> {
		const turn = this.queue.then(() => this.take());
		this.queue = turn.catch(() => undefined);
		return turn;
	}

	private async take(): Promise<void> {
		if (!(this.perSecond > 0)) return;
		for (;;) {
			const now = this.now();
			this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
			this.last = now;
			if (this.tokens >= 1) {
				this.tokens -= 1;
				return;
			}
			await this.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
		}
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
