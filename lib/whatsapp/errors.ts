/**
 * Meta Graph API error handling for the WhatsApp Cloud API.
 *
 * Meta reports the cause of a failure in `error.code`; the HTTP status alone is not enough
 * (a throttled send and a malformed one can both be HTTP 400). Codes from Meta's
 * "Cloud API error codes" reference.
 */

export type ErrorDisposition = 'retryable' | 'template' | 'fatal';

/** Rate limits, throttling and transient server-side failures: worth another attempt. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<number> = new Set([
	1, // API Unknown
	2, // API Service (temporary downtime)
	4, // API Too Many Calls (app-level throttling)
	613, // Calls to this API have exceeded the rate limit
	80007, // Rate limit issues (WABA)
	130429, // Rate limit hit (Cloud API throughput)
	131000, // Something went wrong
	131016, // Service unavailable
	131056, // (Business Account, Consumer Account) pair rate limit hit
	133004, // Server temporarily unavailable
]);

/** The template itself is the problem: a generic text may still reach the guest. */
export const TEMPLATE_ERROR_CODES: ReadonlySet<number> = new Set([
	132000, // Template param count mismatch
	132001, // Template does not exist
	132005, // Template hydrated text too long
	132007, // Template format character policy violated
	132012, // Template parameter format mismatch
	132015, // Template is paused
	132016, // Template is disabled
]);

/** Outside the 24-hour customer service window: only templates may be sent. */
export const OUTSIDE_SERVICE_WINDOW_CODE = 131047;

export function errorDisposition(code: number | undefined, httpStatus?: number): ErrorDisposition {
	if (code !== undefined && RETRYABLE_ERROR_CODES.has(code)) return 'retryable';
	if (code !== undefined && TEMPLATE_ERROR_CODES.has(code)) return 'template';
	// No Graph error object at all (a proxy or load balancer answered): only 5xx/429 are transient.
	if (code === undefined && httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429)) {
		return 'retryable';
	}
	return 'fatal';
}

export interface GraphError {
	code?: number;
	subcode?: number;
	type?: string;
	message: string;
	details?: string;
	fbtraceId?: string;
	httpStatus?: number;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
	return value !== null && typeof value === 'object'
		? (value as Record<string, unknown>)
		: undefined;
}

/** Reads Meta's `{ error: { message, type, code, error_subcode, error_data, fbtrace_id } }`. */
export function parseGraphError(body: unknown, httpStatus?: number): GraphError {
	let parsed: unknown = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body);
		} catch {
			parsed = undefined;
		}
	}
	const error = asRecord(asRecord(parsed)?.error);
	if (!error) {
		return {
			message: httpStatus
				? `HTTP ${httpStatus} without a Graph API error body`
				: 'No response from the Graph API',
			httpStatus,
		};
	}
	const errorData = asRecord(error.error_data);
	const numberOrUndefined = (value: unknown) => (typeof value === 'number' ? value : undefined);
	return {
		code: numberOrUndefined(error.code),
		subcode: numberOrUndefined(error.error_subcode),
		type: typeof error.type === 'string' ? error.type : undefined,
		message: typeof error.message === 'string' ? error.message : 'Unknown Graph API error',
		details: typeof errorData?.details === 'string' ? errorData.details : undefined,
		fbtraceId: typeof error.fbtrace_id === 'string' ? error.fbtrace_id : undefined,
		httpStatus,
	};
}
