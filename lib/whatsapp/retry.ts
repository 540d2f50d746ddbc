/**
 * Retry policy for Graph API calls: exponential backoff with jitter, honouring Retry-After.
 * Pure: the caller supplies the request, the sleep function and the random source.
 */
import { errorDisposition, type ErrorDisposition, type GraphError } from './errors';

export interface RetryPolicy {
	/** Retries after the first attempt (Meta guidance and our default: 3). */
	maxRetries: number;
	/** Delay before the first retry; doubles on each further retry. */
	baseDelayMs: number;
	/** No single wait is longer than this, Retry-After included. */
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 3,
	baseDelayMs: 1000,
	maxDelayMs: 30_000,
};

/**
 * Delay before retry number `retry` (1-based). "Equal jitter": half the exponential step is
 * fixed and half random, so clients that failed together spread out but still back off.
 * A server-sent Retry-After wins when it asks for longer.
 */
export function retryDelayMs(
	policy: RetryPolicy,
	retry: number,
	retryAfterSeconds?: number,
	random: () => number = Math.random,
): number {
	const exponential = policy.baseDelayMs * 2 ** (retry - 1);
	const jittered = exponential / 2 + (random() * exponential) / 2;
	const serverAsked =
		retryAfterSeconds !== undefined && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : 0;
	return Math.round(Math.min(policy.maxDelayMs, Math.max(jittered, serverAsked)));
}

/** Parses a Retry-After header: delta seconds or an HTTP date. */
export function parseRetryAfter(header: unknown, nowMs: number): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value === 'number') return value >= 0 ? value : undefined;
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
	const at = Date.parse(value);
	if (Number.isNaN(at)) return undefined;
	return Math.max(0, (at - nowMs) / 1000);
}

/** What one attempt produced, as the transport saw it. */
export type AttemptResult<T> =
	| { ok: true; value: T }
	| {
			ok: false;
			error: GraphError;
			retryAfterSeconds?: number;
			networkError?: boolean;
	  };

export interface RetryOutcome<T> {
	ok: boolean;
	value?: T;
	error?: GraphError;
	disposition?: ErrorDisposition;
	attempts: number;
	/** The waits actually taken, in ms, for observability and tests. */
	delays: number[];
}

export async function withRetry<T>(
	attempt: (attemptNumber: number) => Promise<AttemptResult<T>>,
	options: {
		policy: RetryPolicy;
		sleep: (ms: number) => Promise<void>;
		random?: () => number;
	},
): Promise<RetryOutcome<T>> {
	const delays: number[] = [];
	for (let attemptNumber = 1; ; attemptNumber++) {
		const result = await attempt(attemptNumber);
		if (result.ok) return { ok: true, value: result.value, attempts: attemptNumber, delays };
		// A dropped connection has no Graph code; treat it like a transient server failure.
		const disposition = result.networkError
			? 'retryable'
			: errorDisposition(result.error.code, result.error.httpStatus);
		if (disposition !== 'retryable' || attemptNumber > options.policy.maxRetries) {
			return {
				ok: false,
				error: result.error,
				disposition,
				attempts: attemptNumber,
				delays,
			};
		}
		const delay = retryDelayMs(
			options.policy,
			attemptNumber,
			result.retryAfterSeconds,
			options.random,
		);
		delays.push(delay);
		await options.sleep(delay);
	}
}
